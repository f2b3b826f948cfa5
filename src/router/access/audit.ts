import type { Env } from "../../env";
import { eventId } from "../../audit/event-id";

/**
 * Audit events of changes that live only in D1 (role and group definitions, client claim
 * settings, SCIM clients): no shard transaction to ride in, so they go to the audit queue
 * directly, after the D1 write succeeded. The queue's consumer treats them like any event.
 */
export async function auditDefinition(env: Env, type: string, data: Record<string, unknown>, clientId: string | null = null): Promise<void> {
  const now = Date.now();
  await env.AUDIT_QUEUE.send({ v: 1, events: [{ id: eventId(now), at: now, type, user_id: null, client_id: clientId, bucket: null, shard: null, data }] });
}
