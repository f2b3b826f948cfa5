/**
 * One audit event as it travels from a shard's outbox through the audit queue to the
 * archive (R2) and the recent window (D1 `audit_log`). `id` is the UUIDv7 chosen in the
 * shard transaction that made the change: every delivery of the same event carries it,
 * so the D1 window (INSERT OR IGNORE) and archive readers (distinct on id) count it once.
 */
export interface AuditRecord {
  id: string;
  /** Milliseconds since the epoch, from the shard's clock. */
  at: number;
  type: string;
  user_id: string | null;
  client_id: string | null;
  bucket: number | null;
  shard: string | null;
  data: Record<string, unknown>;
}

/** A queue message: the events of one outbox batch of one shard, in id (time) order. */
export interface AuditMessage {
  v: 1;
  events: AuditRecord[];
}

/** Queues accept messages of up to 128 KB; stay well under it whatever the event data. */
export const MAX_MESSAGE_BYTES = 96 * 1024;

export function isAuditMessage(body: unknown): body is AuditMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Partial<AuditMessage>;
  return m.v === 1 && Array.isArray(m.events);
}
