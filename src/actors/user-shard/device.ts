import { fail, ok, type ShardResult } from "../results";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import type { DeviceDecision, DevicePoll, DevicePollInput, DeviceRequestView, NewDeviceRequest } from "./api";

/**
 * Pending device authorizations (RFC 8628), in the shard of the bucket the user code
 * hashes to. Each function is called inside the actor's one transaction per method.
 */






/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval the device must keep. */
export const SLOW_DOWN_STEP_S = 5;

/** Stores a new request. A user code still pending under the same hash is a collision: the router draws again. */
export function startDeviceRequest(sql: SqlStorage, input: NewDeviceRequest, now: number): ShardResult<object> {
  const clash = firstRow(sql.exec("SELECT 1 AS x FROM device_requests WHERE user_code_hash = ? AND expires_at > ?", input.userCodeHash, now));
  if (clash) return fail("conflict", "user code in use");
  sql.exec(
    `INSERT INTO device_requests (device_code_hash, user_code_hash, bucket, client_id, scope, created_at, expires_at, interval_s, last_polled_at, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'pending')`,
    input.deviceCodeHash,
    input.userCodeHash,
    input.bucket,
    input.clientId,
    input.scope,
    now,
    now + input.ttlS * 1000,
    input.intervalS,
  );
  return ok({});
}

interface PendingRow {
  device_code_hash: string;
  client_id: string;
  scope: string;
}

function pendingByUserCode(sql: SqlStorage, bucket: number, userCodeHash: string, now: number): PendingRow | undefined {
  return firstRow<PendingRow>(
    sql.exec(
      "SELECT device_code_hash, client_id, scope FROM device_requests WHERE user_code_hash = ? AND bucket = ? AND status = 'pending' AND expires_at > ?",
      userCodeHash,
      bucket,
      now,
    ),
  );
}

/** The page's lookup: a live, undecided request under this user code, or not_found (unknown, expired, decided). */
export function findDeviceRequest(sql: SqlStorage, bucket: number, userCodeHash: string, now: number): ShardResult<DeviceRequestView> {
  const row = pendingByUserCode(sql, bucket, userCodeHash, now);
  if (!row) return fail("not_found", "no pending device request under this user code");
  return ok({ clientId: row.client_id, scope: row.scope });
}

/** Approve or deny, once: a request already decided or expired is not_found. */
export function decideDeviceRequest(sql: SqlStorage, input: DeviceDecision, now: number): ShardResult<object> {
  const row = pendingByUserCode(sql, input.bucket, input.userCodeHash, now);
  if (!row) return fail("not_found", "no pending device request under this user code");
  const a = input.approved;
  if (a === null) {
    sql.exec("UPDATE device_requests SET status = 'denied', decided_at = ? WHERE device_code_hash = ?", now, row.device_code_hash);
  } else {
    sql.exec(
      "UPDATE device_requests SET status = 'approved', decided_at = ?, user_id = ?, grant_id = ?, auth_time = ?, acr = ?, amr = ? WHERE device_code_hash = ?",
      now,
      a.userId,
      a.grantId,
      a.authTime,
      a.acr,
      a.amr.join(" "),
      row.device_code_hash,
    );
  }
  appendEvent(sql, { bucket: input.bucket, type: a ? "device.approved" : "device.denied", userId: a?.userId ?? null, clientId: row.client_id, data: a ? { grant: a.grantId } : {} }, now);
  return ok({});
}

interface PollRow {
  client_id: string;
  scope: string;
  expires_at: number;
  interval_s: number;
  last_polled_at: number | null;
  status: string;
  user_id: string | null;
  grant_id: string | null;
  auth_time: number | null;
  acr: string | null;
  amr: string | null;
}

/**
 * One poll (RFC 8628 §3.4, §3.5), in one transaction: a poll sooner than the interval
 * answers slow_down and grows the interval; an approved request is marked redeemed
 * here, so of any number of racing polls exactly one gets the grant.
 */
export function pollDeviceRequest(sql: SqlStorage, input: DevicePollInput, now: number): ShardResult<DevicePoll> {
  const row = firstRow<PollRow>(
    sql.exec(
      "SELECT client_id, scope, expires_at, interval_s, last_polled_at, status, user_id, grant_id, auth_time, acr, amr FROM device_requests WHERE device_code_hash = ? AND bucket = ?",
      input.deviceCodeHash,
      input.bucket,
    ),
  );
  if (!row || row.client_id !== input.clientId) return fail("invalid_grant", row ? "device code of another client" : "unknown device code");
  if (row.status === "redeemed") return fail("invalid_grant", "device code already used");
  if (now >= row.expires_at) return ok({ status: "expired_token" });
  if (row.status === "denied") return ok({ status: "access_denied" });
  if (row.status === "approved") {
    sql.exec("UPDATE device_requests SET status = 'redeemed', last_polled_at = ? WHERE device_code_hash = ?", now, input.deviceCodeHash);
    return ok({
      status: "approved",
      userId: row.user_id!,
      grantId: row.grant_id!,
      scope: row.scope,
      authTime: row.auth_time!,
      acr: row.acr!,
      amr: (row.amr ?? "").split(" ").filter(Boolean),
    });
  }
  if (row.last_polled_at !== null && now - row.last_polled_at < row.interval_s * 1000) {
    sql.exec("UPDATE device_requests SET interval_s = interval_s + ?, last_polled_at = ? WHERE device_code_hash = ?", SLOW_DOWN_STEP_S, now, input.deviceCodeHash);
    return ok({ status: "slow_down" });
  }
  sql.exec("UPDATE device_requests SET last_polled_at = ? WHERE device_code_hash = ?", now, input.deviceCodeHash);
  return ok({ status: "authorization_pending" });
}
