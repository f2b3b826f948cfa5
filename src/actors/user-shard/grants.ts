import { fail, ok, type ShardResult } from "../results";
import type { AccessTokenRef, UserView } from "./api";
import { firstRow } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/** An access token's grant as /userinfo reads it, with the user, the session and the token's own revocation. */
interface LiveRow extends UserColumns {
  scope: string;
  offline: number;
  sid: string | null;
  expires_at: number;
  revoked_at: number | null;
  session_found: number | null;
  session_ended_at: number | null;
  session_expires_at: number | null;
  session_idle_expires_at: number | null;
  jti_revoked: number | null;
  claims: string | null;
}

/** One statement: the grant by primary key, its user, its session, and whether this jti was revoked (RFC 7009). */
const READ_LIVE = `SELECT g.scope, g.claims, g.offline, g.sid, g.expires_at, g.revoked_at, ${USER_COLUMNS},
  s.auth_time AS session_found, s.ended_at AS session_ended_at, s.expires_at AS session_expires_at, s.idle_expires_at AS session_idle_expires_at,
  (SELECT 1 FROM revoked_tokens r WHERE r.jti = ? AND r.bucket = g.bucket) AS jti_revoked
FROM grants g
LEFT JOIN users u ON u.id = g.user_id
LEFT JOIN sessions s ON s.sid = g.sid AND s.bucket = g.bucket
WHERE g.id = ? AND g.bucket = ? AND g.user_id = ?`;

/**
 * Whether a session-bound grant's session is over. Only grants without
 * offline_access die with their session: a refresh family is meant to outlive
 * the browser session (OIDC Core §11). A session row swept away counts as ended.
 */
function sessionEnded(row: LiveRow, now: number): boolean {
  if (row.offline || row.sid === null) return false;
  if (row.session_found === null || row.session_ended_at !== null) return true;
  return now >= row.session_idle_expires_at! || now >= row.session_expires_at!;
}

/**
 * Whether an access token is still live: its grant not revoked (code replay,
 * logout, theft detection, revocation of its refresh family), not past its end,
 * its session not over (unless the grant is offline), the token itself not
 * revoked by jti, and its user not disabled. /userinfo and /introspect both ask
 * this, so they never disagree about a token.
 */
export function liveGrantUser(sql: SqlStorage, token: AccessTokenRef, now: number): ShardResult<{ user: UserView; scope: string; claims: string | null }> {
  const row = firstRow<LiveRow>(sql.exec(READ_LIVE, token.jti, token.grantId, token.bucket, token.userId));
  if (!row) return fail("invalid_token", "unknown grant");
  if (row.revoked_at !== null) return fail("invalid_token", "the grant behind this token was revoked");
  if (now >= row.expires_at) return fail("invalid_token", "the grant behind this token has ended");
  if (row.jti_revoked !== null) return fail("invalid_token", "the access token was revoked");
  if (sessionEnded(row, now)) return fail("invalid_token", "the session behind this token has ended");
  if (row.u_id === null || row.u_disabled) return fail("invalid_token", "the user is disabled");
  return ok({ user: userViewOf(row), scope: row.scope, claims: row.claims });
}
