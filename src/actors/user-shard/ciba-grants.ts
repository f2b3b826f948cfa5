import { formatScope, hasScope, storedScope } from "../../oauth/scopes";
import { ACR_MFA } from "../../oauth/acr";
import { fail, ok, type ShardResult } from "../results";
import type { CibaDecision, CibaDelivery, CibaDeliveryInput, CibaRedeemed, CibaRedeemTerms } from "./api";
import { recordConsent } from "./consents";
import type { ShardTx } from "./db";
import { deviceApprover } from "./device-grants";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { USER_COLUMNS, userViewOf, type UserColumns } from "./users";

/**
 * The user's answer to a CIBA request (CIBA Core §8) and what follows from it: the grant
 * approval writes, its redemption (by a poll, or by the push consumer), and what a ping
 * or push notification needs. Each runs inside the actor's one transaction per method.
 */

interface DecideRow {
  user_id: string;
  client_id: string;
  scope: string;
  mode: string;
  grant_id: string;
  expires_at: number;
}

/**
 * Approve or deny, once, by the user the request names (signed in on this browser): the
 * approval writes the grant (not bound to the browser session, like a device grant) and
 * remembers the consent, the request is marked, and `ciba.approved` / `ciba.denied` is
 * recorded — whose job pings or pushes to the client. One transaction.
 */
export function decideCibaRequest(tx: ShardTx, sql: SqlStorage, input: CibaDecision, now: number): ShardResult<object> {
  const row = firstRow<DecideRow>(
    sql.exec(
      "SELECT user_id, client_id, scope, mode, grant_id, expires_at FROM ciba_requests WHERE request_id = ? AND bucket = ? AND status = 'pending' AND expires_at > ?",
      input.requestId,
      input.bucket,
      now,
    ),
  );
  if (!row) return fail("not_found", "no pending request under this id");
  const approver = deviceApprover(sql, input.bucket, input.sessionHash, now);
  if (!approver.ok) return approver;
  if (approver.userId !== row.user_id) return fail("conflict", "the request names another user");
  // MFA policy (MFA_REQUIRED, the client's mfa_required): a password-only session cannot approve.
  if (input.approve && input.requireMfa && approver.acr !== ACR_MFA) return fail("login_required", "the approval needs the second factor");
  const data = { ciba_request: input.requestId, mode: row.mode, ...(input.approve ? { grant: row.grant_id } : {}) };
  if (!input.approve) {
    sql.exec("UPDATE ciba_requests SET status = 'denied', decided_at = ? WHERE request_id = ?", now, input.requestId);
    appendEvent(sql, { bucket: input.bucket, type: "ciba.denied", userId: row.user_id, clientId: row.client_id, data }, now);
    return ok({});
  }
  recordConsent(tx, input.bucket, row.user_id, row.client_id, row.scope, now);
  sql.exec(
    `INSERT INTO grants (id, bucket, user_id, client_id, sid, scope, auth_time, offline, refresh_hash, refresh_generation,
      created_at, last_used_at, expires_at, revoked_at, revoke_reason) VALUES (?, ?, ?, ?, NULL, ?, ?, 0, NULL, 0, ?, ?, ?, NULL, NULL)`,
    row.grant_id,
    input.bucket,
    row.user_id,
    row.client_id,
    row.scope,
    approver.authTime,
    now,
    now,
    row.expires_at,
  );
  sql.exec(
    "UPDATE ciba_requests SET status = 'approved', decided_at = ?, auth_time = ?, acr = ?, amr = ? WHERE request_id = ?",
    now,
    approver.authTime,
    approver.acr,
    approver.amr.join(" "),
    input.requestId,
  );
  appendEvent(sql, { bucket: input.bucket, type: "ciba.approved", userId: row.user_id, clientId: row.client_id, data }, now);
  return ok({});
}

interface GrantRow extends UserColumns {
  grant_id: string;
  client_id: string;
  mode: string;
  auth_time: number;
  acr: string;
  amr: string;
  g_scope: string | null;
  g_expires_at: number | null;
  g_revoked_at: number | null;
}

/**
 * Redeems an approved request (the caller marks it redeemed in the same transaction): the
 * grant gets its lifetime and, with offline_access and a client allowed refresh tokens,
 * its refresh family — as a code redemption would have made it. Records `ciba.redeemed`.
 */
export function finishCibaGrant(sql: SqlStorage, input: CibaRedeemTerms & { bucket: number; requestId: string }, now: number): ShardResult<CibaRedeemed> {
  const row = firstRow<GrantRow>(
    sql.exec(
      `SELECT c.grant_id, c.client_id, c.mode, c.auth_time, c.acr, c.amr, g.scope AS g_scope, g.expires_at AS g_expires_at, g.revoked_at AS g_revoked_at, ${USER_COLUMNS}
       FROM ciba_requests c LEFT JOIN grants g ON g.id = c.grant_id LEFT JOIN users u ON u.id = c.user_id WHERE c.request_id = ? AND c.bucket = ?`,
      input.requestId,
      input.bucket,
    ),
  );
  if (!row || row.g_scope === null || row.g_revoked_at !== null || now >= (row.g_expires_at ?? 0)) return fail("invalid_grant", "the approved grant is gone or revoked");
  if (row.u_id === null || row.u_disabled) return fail("invalid_grant", "the user is disabled");
  const requested = storedScope(row.g_scope);
  const offline = input.refreshTokenHash !== null && hasScope(requested, "offline_access");
  const scope = formatScope(offline ? requested : requested.filter((s) => s !== "offline_access"));
  sql.exec(
    "UPDATE grants SET scope = ?, offline = ?, refresh_hash = ?, expires_at = ?, last_used_at = ? WHERE id = ?",
    scope,
    offline ? 1 : 0,
    offline ? input.refreshTokenHash : null,
    now + (offline ? input.offlineTtlS : input.grantTtlS) * 1000,
    now,
    row.grant_id,
  );
  const data = { ciba_request: input.requestId, grant: row.grant_id, mode: row.mode, offline };
  appendEvent(sql, { bucket: input.bucket, type: "ciba.redeemed", userId: row.u_id, clientId: row.client_id, data }, now);
  const amr = row.amr.split(" ").filter(Boolean);
  return ok({ status: "approved", user: userViewOf(row), grantId: row.grant_id, scope, authTime: row.auth_time, acr: row.acr, amr, refreshIssued: offline });
}

interface DeliveryRow {
  client_id: string;
  mode: string;
  notification_token: string | null;
  status: string;
  expires_at: number;
}

/**
 * A ping or push job (§10.2, §10.3), once per delivery: ping reads the notification
 * token; push redeems an approved request here — so a redelivered job finds it redeemed
 * and pushes nothing twice — or reports the error to push (§12).
 */
export function deliverCibaRequest(sql: SqlStorage, input: CibaDeliveryInput, now: number): ShardResult<CibaDelivery> {
  const row = firstRow<DeliveryRow>(
    sql.exec("SELECT client_id, mode, notification_token, status, expires_at FROM ciba_requests WHERE request_id = ? AND bucket = ?", input.requestId, input.bucket),
  );
  if (!row || row.notification_token === null || (row.mode !== "ping" && row.mode !== "push")) return fail("not_found", "no ping or push request under this id");
  const base = { clientId: row.client_id, mode: row.mode, notificationToken: row.notification_token } as const;
  if (row.mode === "ping") return ok({ ...base, outcome: { status: "pending" as const } });
  if (row.status === "redeemed" || row.status === "delivered_error") return ok({ ...base, outcome: { status: "already_delivered" as const } });
  if (row.status === "denied" || row.status === "expired" || now >= row.expires_at) {
    sql.exec("UPDATE ciba_requests SET status = 'delivered_error' WHERE request_id = ?", input.requestId);
    return ok({ ...base, outcome: { status: row.status === "denied" ? ("access_denied" as const) : ("expired_token" as const) } });
  }
  if (row.status !== "approved") return ok({ ...base, outcome: { status: "pending" as const } });
  const redeemed = finishCibaGrant(sql, { ...input }, now);
  if (!redeemed.ok) return redeemed;
  sql.exec("UPDATE ciba_requests SET status = 'redeemed' WHERE request_id = ?", input.requestId);
  return ok({ ...base, outcome: redeemed });
}
