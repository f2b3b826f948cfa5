/**
 * CIBA notifications (OpenID CIBA Core 1.0) on their way out of the shard that changed a
 * request: the outbox flush derives them from the request's audit events and sends them to
 * the notify queue; the router's consumer (src/router/ciba/deliver.ts) delivers them.
 *
 * - `device`: `ciba.requested` → the authentication device's webhook (§8: the OP asks the user).
 * - `client`: `ciba.approved` / `ciba.denied` / `ciba.expired` of a ping or push request → the
 *   client's notification endpoint (§10.2 ping, §10.3 push, §12 push errors).
 * - `push`: a push body already built (tokens signed once, or an error), re-queued by the
 *   consumer so that retries send the same body and never sign a second token set.
 */
export type CibaJob = DeviceJob | ClientJob | PushJob;

interface JobBase {
  v: 1;
  /** The audit event the job came from: its delivery id (one job per event, whatever the redeliveries). */
  event_id: string;
  client_id: string;
  request_id: string;
  bucket: number;
}

export interface DeviceJob extends JobBase {
  kind: "device";
  user_id: string;
  scope: string;
  binding_message: string | null;
  expires_at: number;
}

export interface ClientJob extends JobBase {
  kind: "client";
  mode: "ping" | "push";
}

export interface PushJob extends JobBase {
  kind: "push";
  notification_token: string;
  body: Record<string, unknown>;
}

interface EventLike {
  id: string;
  type: string;
  user_id: string | null;
  client_id: string | null;
  bucket: number | null;
  data: Record<string, unknown>;
}

const NOTIFYING = new Set(["ciba.approved", "ciba.denied", "ciba.expired"]);

/** The job an audit event calls for, if any. */
export function cibaJobsFor(event: EventLike): CibaJob[] {
  const d = event.data;
  if (!event.type.startsWith("ciba.") || event.client_id === null || event.bucket === null || typeof d.ciba_request !== "string") return [];
  const base = { v: 1 as const, event_id: event.id, client_id: event.client_id, request_id: d.ciba_request, bucket: event.bucket };
  if (event.type === "ciba.requested" && event.user_id !== null) {
    const binding = typeof d.binding_message === "string" ? d.binding_message : null;
    return [{ ...base, kind: "device", user_id: event.user_id, scope: String(d.scope ?? ""), binding_message: binding, expires_at: Number(d.expires_at ?? 0) }];
  }
  if (NOTIFYING.has(event.type) && (d.mode === "ping" || d.mode === "push")) return [{ ...base, kind: "client", mode: d.mode }];
  return [];
}

export function isCibaJob(body: unknown): body is CibaJob {
  if (typeof body !== "object" || body === null) return false;
  const j = body as Partial<CibaJob>;
  const base = j.v === 1 && typeof j.event_id === "string" && typeof j.client_id === "string" && typeof j.request_id === "string" && typeof j.bucket === "number";
  return base && (j.kind === "device" || j.kind === "client" || (j.kind === "push" && typeof (j as PushJob).notification_token === "string"));
}
