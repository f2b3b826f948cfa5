/**
 * One back-channel logout notification (OpenID Connect Back-Channel Logout 1.0) on its way
 * from the shard that ended a session to the client: sent by the shard's outbox flush to the
 * logout queue, one message per client, delivered by the router's consumer
 * (src/router/logout/backchannel.ts), which looks up the client's `backchannel_logout_uri`.
 */
export interface BackchannelJob {
  v: 1;
  /** The audit event that ended the session(s): with the client id it names the logout token's jti. */
  event_id: string;
  client_id: string;
  /** The user (the logout token's `sub`). */
  user_id: string;
  /** The session that ended (the logout token's `sid`); null when the client's grants ended without one. */
  sid: string | null;
  /** Why: "logout", "consent.revoked", "user.disabled". */
  reason: string;
  at: number;
}

interface EventLike {
  id: string;
  at: number;
  type: string;
  user_id: string | null;
  client_id: string | null;
  data: Record<string, unknown>;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/**
 * The notifications an audit event calls for: a `logout` event names the clients of the
 * ended session; a `consent.revoked` event names the sessions whose grants of that client
 * ended. Every other event calls for none.
 */
export function jobsFor(event: EventLike): BackchannelJob[] {
  if (event.user_id === null) return [];
  const base = { v: 1 as const, event_id: event.id, user_id: event.user_id, at: event.at };
  if (event.type === "logout") {
    const sid = typeof event.data.sid === "string" ? event.data.sid : null;
    const reason = event.data.initiator === "user_disabled" ? "user.disabled" : "logout";
    return strings(event.data.clients).map((client_id) => ({ ...base, client_id, sid, reason }));
  }
  if (event.type === "consent.revoked" && event.client_id !== null) {
    const sids = strings(event.data.sids);
    return (sids.length > 0 ? sids : [null]).map((sid) => ({ ...base, client_id: event.client_id!, sid, reason: "consent.revoked" }));
  }
  return [];
}

export function isBackchannelJob(body: unknown): body is BackchannelJob {
  if (typeof body !== "object" || body === null) return false;
  const j = body as Partial<BackchannelJob>;
  return j.v === 1 && typeof j.event_id === "string" && typeof j.client_id === "string" && typeof j.user_id === "string" && (j.sid === null || typeof j.sid === "string");
}
