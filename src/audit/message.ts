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

/** Where an event goes once it leaves the shard. */
export type AuditTarget = "archive" | "window";
export const AUDIT_TARGETS: readonly AuditTarget[] = ["archive", "window"];

/**
 * A queue message: the events of one outbox batch of one shard, in id (time) order.
 * `targets` is set only on a message the consumer sent back to the queue because one
 * destination took the events and the other did not: it then goes to the other alone.
 */
export interface AuditMessage {
  v: 1;
  events: AuditRecord[];
  targets?: AuditTarget[];
  /** Times the consumer sent these events back to the queue (sets the backoff). */
  resent?: number;
}

/** Queues accept messages of up to 128 KB; stay well under it whatever the event data. */
export const MAX_MESSAGE_BYTES = 96 * 1024;

export function isAuditMessage(body: unknown): body is AuditMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Partial<AuditMessage>;
  return m.v === 1 && Array.isArray(m.events) && m.events.every(isAuditRecord);
}

function isAuditRecord(value: unknown): value is AuditRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<AuditRecord>;
  return typeof r.id === "string" && typeof r.at === "number" && Number.isFinite(r.at) && typeof r.type === "string";
}

const encoder = new TextEncoder();

/**
 * Packs records, in order, into as few messages as fit under MAX_MESSAGE_BYTES. A single
 * record larger than that still gets a message of its own: its data is replaced by a
 * marker, since the queue would refuse the message and block every event behind it.
 */
export function packMessages(records: readonly AuditRecord[]): AuditMessage[] {
  const messages: AuditMessage[] = [];
  let events: AuditRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    let size = encoder.encode(JSON.stringify(record)).byteLength + 1;
    let fitted = record;
    if (size > MAX_MESSAGE_BYTES - 64) {
      fitted = { ...record, data: { truncated: true, bytes: size } };
      size = encoder.encode(JSON.stringify(fitted)).byteLength + 1;
    }
    if (events.length > 0 && bytes + size > MAX_MESSAGE_BYTES - 64) {
      messages.push({ v: 1, events });
      events = [];
      bytes = 0;
    }
    events.push(fitted);
    bytes += size;
  }
  if (events.length > 0) messages.push({ v: 1, events });
  return messages;
}

/** An event's `data` from its stored JSON text: an object, whatever the text holds. */
export function parseEventData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw: text };
  }
}
