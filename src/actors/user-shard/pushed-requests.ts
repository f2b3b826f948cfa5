import { fail, ok, type ShardResult } from "../results";
import type { NewPushedRequest, PushedRequest, TakePushedInput } from "./api";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";

/**
 * Pushed authorization requests (RFC 9126), in the random bucket of their request_uri.
 * Each function runs inside the actor's one transaction per method.
 */

export function storePushedRequest(sql: SqlStorage, input: NewPushedRequest, now: number): ShardResult<object> {
  sql.exec(
    "INSERT INTO pushed_requests (request_hash, bucket, client_id, params, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
    input.requestHash,
    input.bucket,
    input.clientId,
    JSON.stringify(input.params),
    now,
    now + input.ttlS * 1000,
  );
  return ok({});
}

interface PushedRow {
  client_id: string;
  params: string;
  expires_at: number;
  used_at: number | null;
}

/**
 * /authorize takes a pushed request once (RFC 9126 §4: "one-time use"). It is used up
 * here, when /authorize opens it, not when the sign-in finishes: from this moment the
 * request travels in the signed interaction bound to this browser's CSRF cookie, so it
 * survives that browser's login and consent, and no other browser can start with it.
 * A client mismatch leaves the request alone (the caller cannot have been its client).
 */
export function takePushedRequest(sql: SqlStorage, input: TakePushedInput, now: number): ShardResult<PushedRequest> {
  const row = firstRow<PushedRow>(
    sql.exec("SELECT client_id, params, expires_at, used_at FROM pushed_requests WHERE request_hash = ? AND bucket = ?", input.requestHash, input.bucket),
  );
  if (!row) return fail("not_found", "unknown request_uri");
  if (row.client_id !== input.clientId) return fail("invalid_input", "request_uri was pushed by another client");
  if (row.used_at !== null) {
    appendEvent(sql, { bucket: input.bucket, type: "par.reused", userId: null, clientId: row.client_id, data: {} }, now);
    return fail("invalid_input", "request_uri was already used");
  }
  if (now >= row.expires_at) return fail("invalid_input", "request_uri has expired");
  sql.exec("UPDATE pushed_requests SET used_at = ? WHERE request_hash = ?", now, input.requestHash);
  return ok({ params: JSON.parse(row.params) as Record<string, string> });
}
