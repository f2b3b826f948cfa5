import { formatScope, hasScope, storedScope } from "../../oauth/scopes";
import { fail, ok, type ShardResult } from "../results";
import type { CodeRequest, RedeemInput, Redeemed } from "./api";
import { appendEvent } from "./outbox";
import { firstRow, sameHash } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/** The session a code is issued under: it binds the code to its user, sid and sign-in time. */
export interface CodeSession {
  bucket: number;
  userId: string;
  sid: string;
  authTime: number;
}

const INSERT_CODE = `INSERT INTO auth_codes (code_hash, bucket, user_id, client_id, redirect_uri, code_challenge, nonce, scope, sid, auth_time,
  created_at, expires_at, redeemed_at, grant_id, dpop_jkt, claims) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`;

export function storeCode(sql: SqlStorage, session: CodeSession, code: CodeRequest, now: number): void {
  sql.exec(
    INSERT_CODE,
    code.codeHash,
    session.bucket,
    session.userId,
    code.clientId,
    code.redirectUri,
    code.codeChallenge,
    code.nonce,
    code.scope,
    session.sid,
    session.authTime,
    now,
    now + code.ttlS * 1000,
    code.dpopJkt ?? null,
    code.claims ?? null,
  );
}

const invalidGrant = (detail: string) => fail("invalid_grant", detail);

/** A code as redemption reads it, with its user and session in the same statement. */
interface CodeRow extends UserColumns {
  user_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  nonce: string | null;
  scope: string;
  sid: string;
  auth_time: number;
  expires_at: number;
  redeemed_at: number | null;
  grant_id: string | null;
  session_ended_at: number | null;
  session_acr: string | null;
  session_amr: string | null;
  dpop_jkt: string | null;
  claims: string | null;
}

const READ_CODE = `SELECT c.user_id, c.client_id, c.redirect_uri, c.code_challenge, c.nonce, c.scope, c.sid, c.auth_time,
  c.expires_at, c.redeemed_at, c.grant_id, c.dpop_jkt, c.claims, ${USER_COLUMNS},
  s.ended_at AS session_ended_at, s.acr AS session_acr, s.amr AS session_amr
FROM auth_codes c
LEFT JOIN users u ON u.id = c.user_id
LEFT JOIN sessions s ON s.sid = c.sid
WHERE c.code_hash = ? AND c.bucket = ?`;

const INSERT_GRANT = `INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation,
  created_at, last_used_at, expires_at, revoked_at, revoke_reason, dpop_jkt, claims) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, NULL, NULL, ?, ?)`;

/**
 * Redeems a code in one transaction. A second presentation of a redeemed code is
 * treated as an attack (RFC 6749 §4.1.2, RFC 9700 §4.5.3.1): it fails and revokes
 * the grant the first redemption created, so its tokens die at their next use.
 *
 * Rows written: the code (1), the grant with its refresh token (2 with its index),
 * the audit event (1, and 1 more when the flush deletes it).
 */
export function redeemCode(sql: SqlStorage, input: RedeemInput, now: number): ShardResult<Redeemed> {
  const code = firstRow<CodeRow>(sql.exec(READ_CODE, input.codeHash, input.bucket));
  if (!code) return invalidGrant("unknown authorization code");
  if (code.redeemed_at !== null) {
    const revoked = code.grant_id === null ? 0 : sql.exec("UPDATE grants SET revoked_at = ?, revoke_reason = 'code_replay' WHERE id = ? AND revoked_at IS NULL", now, code.grant_id).rowsWritten;
    appendEvent(sql, { bucket: input.bucket, type: "code.replayed", userId: code.user_id, clientId: code.client_id, data: { revoked_grants: revoked } }, now);
    return invalidGrant("authorization code already used; tokens issued from it are revoked");
  }
  if (now >= code.expires_at) return invalidGrant("authorization code expired");
  if (code.client_id !== input.clientId) return invalidGrant("authorization code was issued to another client");
  if (code.redirect_uri !== input.redirectUri) return invalidGrant("redirect_uri does not match the authorization request");
  // RFC 9449 §10: a code asked for with dpop_jkt is redeemed only with a proof of that key (and stays unspent otherwise).
  if (code.dpop_jkt !== null && input.dpop?.jkt !== code.dpop_jkt) return invalidGrant("the code is bound to another DPoP key (dpop_jkt)");
  if (code.code_challenge === null && input.verifierChallenge !== null) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt.
    return invalidGrant("code_verifier sent but the authorization request had no code_challenge");
  }
  if (code.code_challenge !== null && (input.verifierChallenge === null || !sameHash(code.code_challenge, input.verifierChallenge))) {
    return invalidGrant(input.verifierChallenge === null ? "code_verifier is required" : "code_verifier does not match code_challenge");
  }
  sql.exec("UPDATE auth_codes SET redeemed_at = ?, grant_id = ? WHERE code_hash = ?", now, input.grantId, input.codeHash);

  if (code.u_id === null || code.u_disabled) return invalidGrant("the user is disabled");
  if (code.session_acr === null || code.session_ended_at !== null) return invalidGrant("the session that authorized this code has ended");

  const requested = storedScope(code.scope);
  const offline = input.refreshAllowed && input.refreshTokenHash !== null && hasScope(requested, "offline_access");
  const scope = formatScope(offline ? requested : requested.filter((s) => s !== "offline_access"));
  const expiresAt = now + (offline ? input.offlineTtlS : input.grantTtlS) * 1000;
  sql.exec(INSERT_GRANT, input.grantId, input.bucket, code.user_id, code.client_id, code.sid, scope, code.auth_time, offline ? 1 : 0, offline ? input.refreshTokenHash : null, now, now, expiresAt, input.dpop?.bindRefresh ? input.dpop.jkt : null, code.claims);
  appendEvent(sql, { bucket: input.bucket, type: "token.issued", userId: code.user_id, clientId: code.client_id, data: { grant: input.grantId, offline } }, now);
  return ok({
    user: userViewOf(code),
    scope,
    sid: code.sid,
    authTime: code.auth_time,
    nonce: code.nonce,
    acr: code.session_acr,
    amr: (code.session_amr ?? "").split(" ").filter(Boolean),
    refreshIssued: offline,
    claims: code.claims,
  });
}
