import { formatScope, hasScope, storedScope } from "../../oauth/scopes";
import { ACR_MFA } from "../../oauth/acr";
import { fail, ok, type ShardResult } from "../results";
import type { DeviceApprover, DeviceGrantInput, DeviceRedeemed, DeviceRedeemInput } from "./api";
import { recordConsent } from "./consents";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/**
 * The user's side of a device authorization (RFC 8628), in the user's own shard:
 * approval writes the grant, redemption turns it into tokens.
 */



interface ApproverRow extends UserColumns {
  sid: string;
  user_id: string;
  auth_time: number;
  acr: string;
  amr: string;
  idle_expires_at: number;
  expires_at: number;
}

const READ_APPROVER = `SELECT s.sid, s.user_id, s.auth_time, s.acr, s.amr, s.idle_expires_at, s.expires_at, ${USER_COLUMNS}
FROM sessions s LEFT JOIN users u ON u.id = s.user_id
WHERE s.id_hash = ? AND s.bucket = ? AND s.ended_at IS NULL`;

/** The signed-in person behind a session cookie, for the approval page; login_required without one. */
export function deviceApprover(sql: SqlStorage, bucket: number, sessionHash: string, now: number): ShardResult<DeviceApprover> {
  const row = firstRow<ApproverRow>(sql.exec(READ_APPROVER, sessionHash, bucket));
  if (!row || now >= row.idle_expires_at || now >= row.expires_at) return fail("login_required", "no live session");
  if (row.u_id === null || row.u_disabled) return fail("login_required", "the user is disabled");
  return ok({ sid: row.sid, userId: row.user_id, email: row.u_email, authTime: row.auth_time, acr: row.acr, amr: row.amr.split(" ").filter(Boolean) });
}

/**
 * "Approve": the grant is written here, in the user's shard, before the pending row
 * in the device's shard is marked (the router does that next). Not bound to the
 * browser session (sid NULL): the device's tokens are its own and outlive a sign-out
 * on the phone that approved them. Until redeemed it expires with the device code.
 * The approval is the user's consent, remembered as the consent page's would be: the
 * refresh family lives only while it stands, and withdrawing it revokes the grant.
 */
export function writeDeviceGrant(tx: ShardTx, sql: SqlStorage, input: DeviceGrantInput, now: number): ShardResult<DeviceApprover> {
  const approver = deviceApprover(sql, input.bucket, input.sessionHash, now);
  if (!approver.ok) return approver;
  // MFA policy (MFA_REQUIRED, the client's mfa_required): a password-only session cannot approve.
  if (input.requireMfa && approver.acr !== ACR_MFA) return fail("login_required", "the approval needs the second factor");
  recordConsent(tx, input.bucket, approver.userId, input.clientId, input.scope, now);
  sql.exec(
    `INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation,
      created_at, last_used_at, expires_at, revoked_at, revoke_reason) VALUES (?, ?, ?, ?, NULL, ?, ?, 0, NULL, 0, ?, ?, ?, NULL, NULL)`,
    input.grantId,
    input.bucket,
    approver.userId,
    input.clientId,
    input.scope,
    approver.authTime,
    now,
    now,
    now + input.pendingTtlS * 1000,
  );
  return approver;
}



interface GrantRow extends UserColumns {
  scope: string;
  client_id: string;
  expires_at: number;
  revoked_at: number | null;
}

/**
 * The device redeemed (its shard marked the request redeemed, once): the grant gets
 * its lifetime and, with offline_access and a client allowed refresh tokens, its
 * refresh family — as a code redemption would have made it.
 */
export function redeemDeviceGrant(sql: SqlStorage, input: DeviceRedeemInput, now: number): ShardResult<DeviceRedeemed> {
  const row = firstRow<GrantRow>(
    sql.exec(
      `SELECT g.scope, g.client_id, g.expires_at, g.revoked_at, ${USER_COLUMNS} FROM grants g LEFT JOIN users u ON u.id = g.user_id
       WHERE g.id = ? AND g.bucket = ? AND g.user_id = ?`,
      input.grantId,
      input.bucket,
      input.userId,
    ),
  );
  if (!row || row.revoked_at !== null || now >= row.expires_at) return fail("invalid_grant", "the approved grant is gone or revoked");
  if (row.u_id === null || row.u_disabled) return fail("invalid_grant", "the user is disabled");
  const requested = storedScope(row.scope);
  const offline = input.refreshTokenHash !== null && hasScope(requested, "offline_access");
  const scope = formatScope(offline ? requested : requested.filter((s) => s !== "offline_access"));
  const expiresAt = now + (offline ? input.offlineTtlS : input.grantTtlS) * 1000;
  sql.exec(
    "UPDATE grants SET scope = ?, offline = ?, refresh_hash = ?, expires_at = ?, last_used_at = ?, dpop_jkt = ? WHERE id = ?",
    scope,
    offline ? 1 : 0,
    offline ? input.refreshTokenHash : null,
    expiresAt,
    now,
    // DPoP (RFC 9449 §5): a public client's refresh family is bound to the key of the redeeming proof.
    input.dpop?.bindRefresh ? input.dpop.jkt : null,
    input.grantId,
  );
  appendEvent(sql, { bucket: input.bucket, type: "token.issued", userId: input.userId, clientId: row.client_id, data: { grant: input.grantId, offline, device: true } }, now);
  return ok({ user: userViewOf(row), scope, refreshIssued: offline });
}
