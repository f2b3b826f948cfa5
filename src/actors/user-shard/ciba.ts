import { fail, ok, type ShardResult } from "../results";
import type { CibaPending, CibaPoll, CibaPollInput, CibaRequestView, NewCibaRequest } from "./api";
import { finishCibaGrant } from "./ciba-grants";

// The decision and the ping/push delivery live in ciba-grants.ts; the actor imports all of CIBA from here.
export { decideCibaRequest, deliverCibaRequest } from "./ciba-grants";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";

/**
 * CIBA authentication requests (OpenID CIBA Core 1.0 §7), in the user's own shard: the
 * user is known when the client asks, so the request, the grant its approval writes and
 * the redemption all change in one place, one transaction each. Each function runs
 * inside the actor's one transaction per method.
 */

/** §11 slow_down: each adds this many seconds to the interval the client must keep (as RFC 8628 §3.5). */
export const CIBA_SLOW_DOWN_STEP_S = 5;

interface UserRow {
  disabled: number;
}

/** Stores a new request for a live user and records `ciba.requested` (its job notifies the authentication device). */
export function startCibaRequest(sql: SqlStorage, input: NewCibaRequest, now: number): ShardResult<object> {
  const user = firstRow<UserRow>(sql.exec("SELECT disabled FROM users WHERE id = ? AND bucket = ?", input.userId, input.bucket));
  if (!user) return fail("not_found", "no such user");
  if (user.disabled) return fail("disabled", "the user is disabled");
  const expiresAt = now + input.ttlS * 1000;
  sql.exec(
    `INSERT INTO ciba_requests (request_id, auth_req_id_hash, bucket, user_id, client_id, scope, binding_message, mode, notification_token,
      created_at, expires_at, interval_s, last_polled_at, status, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'pending', ?)`,
    input.requestId,
    input.authReqIdHash,
    input.bucket,
    input.userId,
    input.clientId,
    input.scope,
    input.bindingMessage,
    input.mode,
    input.notificationToken,
    now,
    expiresAt,
    input.intervalS,
    input.grantId,
  );
  const data = { ciba_request: input.requestId, scope: input.scope, binding_message: input.bindingMessage, mode: input.mode, expires_at: expiresAt };
  appendEvent(sql, { bucket: input.bucket, type: "ciba.requested", userId: input.userId, clientId: input.clientId, data }, now);
  return ok({});
}

interface ViewRow {
  request_id: string;
  bucket: number;
  user_id: string;
  client_id: string;
  scope: string;
  binding_message: string | null;
  expires_at: number;
}

const VIEW = "SELECT request_id, bucket, user_id, client_id, scope, binding_message, expires_at FROM ciba_requests";

function viewOf(r: ViewRow): CibaRequestView {
  return { requestId: r.request_id, bucket: r.bucket, userId: r.user_id, clientId: r.client_id, scope: r.scope, bindingMessage: r.binding_message, expiresAt: r.expires_at };
}

/** The approval page's lookup: a live, undecided request, or not_found (unknown, expired, decided). */
export function findCibaRequest(sql: SqlStorage, bucket: number, requestId: string, now: number): ShardResult<CibaRequestView> {
  const row = firstRow<ViewRow>(sql.exec(`${VIEW} WHERE request_id = ? AND bucket = ? AND status = 'pending' AND expires_at > ?`, requestId, bucket, now));
  return row ? ok(viewOf(row)) : fail("not_found", "no pending request under this id");
}

/** /dev/ciba: this shard's pending requests, newest first (local development only; bounded). */
export function pendingCibaRequests(sql: SqlStorage, now: number): ShardResult<{ requests: CibaPending[] }> {
  const rows = sql.exec<ViewRow & Record<string, SqlStorageValue>>(`${VIEW} WHERE status = 'pending' AND expires_at > ? ORDER BY created_at DESC LIMIT 50`, now).toArray();
  return ok({ requests: rows.map(viewOf) });
}

interface PollRow {
  request_id: string;
  user_id: string;
  client_id: string;
  mode: string;
  expires_at: number;
  interval_s: number;
  last_polled_at: number | null;
  status: string;
}

/**
 * One poll of /token (§10.1, §11), in one transaction: sooner than the interval answers
 * slow_down and grows it; an approved request is redeemed here — marked and its grant
 * finished in the same transaction — so of any number of racing polls exactly one gets
 * tokens. A push-mode request is never redeemed by polling (§10.1: only poll and ping
 * clients call /token with it); the router refuses such clients before calling.
 */
export function pollCibaRequest(sql: SqlStorage, input: CibaPollInput, now: number): ShardResult<CibaPoll> {
  const row = firstRow<PollRow>(
    sql.exec(
      "SELECT request_id, user_id, client_id, mode, expires_at, interval_s, last_polled_at, status FROM ciba_requests WHERE auth_req_id_hash = ? AND bucket = ?",
      input.authReqIdHash,
      input.bucket,
    ),
  );
  if (!row || row.client_id !== input.clientId) return fail("invalid_grant", row ? "auth_req_id of another client" : "unknown auth_req_id");
  if (row.mode === "push") return fail("invalid_grant", "a push-mode request is delivered, not polled");
  if (row.status === "redeemed") return fail("invalid_grant", "auth_req_id already used");
  if (row.status === "expired" || now >= row.expires_at) return ok({ status: "expired_token" });
  if (row.status === "denied") return ok({ status: "access_denied" });
  if (row.status === "approved") {
    const redeemed = finishCibaGrant(sql, { ...input, requestId: row.request_id }, now);
    if (redeemed.ok) sql.exec("UPDATE ciba_requests SET status = 'redeemed', last_polled_at = ? WHERE request_id = ?", now, row.request_id);
    return redeemed;
  }
  if (row.last_polled_at !== null && now - row.last_polled_at < row.interval_s * 1000) {
    sql.exec("UPDATE ciba_requests SET interval_s = interval_s + ?, last_polled_at = ? WHERE request_id = ?", CIBA_SLOW_DOWN_STEP_S, now, row.request_id);
    return ok({ status: "slow_down" });
  }
  sql.exec("UPDATE ciba_requests SET last_polled_at = ? WHERE request_id = ?", now, row.request_id);
  return ok({ status: "authorization_pending" });
}

/**
 * The sweep's part (at least once, idempotent): pending requests past their expiry become
 * `expired` with a `ciba.expired` event (whose job tells a ping or push client, §12), a
 * bounded batch at a time — only in buckets this shard serves, so a bucket being moved (or
 * copied in) is not changed under its checksums. The rows go with the sweep's keep window.
 */
export function expireCibaRequests(sql: SqlStorage, now: number, limit: number): number {
  const rows = sql
    .exec<{ request_id: string; bucket: number; user_id: string; client_id: string; mode: string }>(
      `SELECT request_id, bucket, user_id, client_id, mode FROM ciba_requests WHERE status = 'pending' AND expires_at <= ?
       AND bucket IN (SELECT bucket FROM owned_buckets WHERE state = 'active') LIMIT ?`,
      now,
      limit,
    )
    .toArray();
  for (const r of rows) {
    sql.exec("UPDATE ciba_requests SET status = 'expired' WHERE request_id = ?", r.request_id);
    appendEvent(sql, { bucket: r.bucket, type: "ciba.expired", userId: r.user_id, clientId: r.client_id, data: { ciba_request: r.request_id, mode: r.mode } }, now);
  }
  return rows.length;
}
