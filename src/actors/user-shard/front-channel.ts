import { formatScope, storedScope } from "../../oauth/scopes";
import type { AuthorizationAsk } from "./api";
import type { CodeSession } from "./codes";
import { appendEvent } from "./outbox";

const INSERT_FRONT_GRANT = `INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation,
  created_at, last_used_at, expires_at, revoked_at, revoke_reason) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, ?, ?, ?, NULL, NULL)`;

/**
 * Hybrid flow with `token` (OIDC Core §3.3.2.5): the access token returned from the
 * authorization endpoint names a grant like any other, so /userinfo, /introspect and
 * revocation treat it the same. It is written in the transaction that stores the
 * code, so /authorize with a live session stays one shard call. It lives no longer
 * than its access token and never carries a refresh token (offline_access is left
 * out: only the code's redemption at /token may grant it). Returns the grant id, or
 * null when the response type has no `token`.
 */
export function storeFrontChannelGrant(sql: SqlStorage, session: CodeSession, ask: AuthorizationAsk, now: number): string | null {
  const grant = ask.accessGrant;
  if (!grant) return null;
  const scope = formatScope(storedScope(ask.code.scope).filter((s) => s !== "offline_access"));
  sql.exec(INSERT_FRONT_GRANT, grant.grantId, session.bucket, session.userId, ask.clientId, session.sid, scope, session.authTime, now, now, now + grant.ttlS * 1000);
  appendEvent(sql, { bucket: session.bucket, type: "token.issued", userId: session.userId, clientId: ask.clientId, data: { grant: grant.grantId, offline: false, front_channel: true } }, now);
  return grant.grantId;
}
