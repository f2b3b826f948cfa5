import { and, asc, eq, exists, inArray } from "drizzle-orm";
import { outbox, ownedBuckets } from "../../../schema/do/user-shard/tables";
import type { ShardDb, ShardTx } from "./db";

export interface AuditEvent {
  bucket: number;
  type: string;
  userId?: string | null;
  clientId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Events appended so far in this isolate. A transaction is synchronous, so the
 * actor compares the count before and after it to know whether to schedule a flush.
 */
let appended = 0;

export function eventsAppended(): number {
  return appended;
}

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of milliseconds, then random bits. The outbox is
 * keyed by it, so its primary-key order is (nearly) time order and the flush needs no
 * index on `at`; D1 and the archive use it as the event's idempotency key.
 */
export function eventId(now: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const APPEND = "INSERT INTO outbox (id, bucket, type, user_id, client_id, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)";

/**
 * Called inside the transaction that makes the change the event describes. Takes
 * drizzle's transaction (most operations) or the raw SQL handle (the hot paths);
 * both write through the same storage, inside the same transaction.
 */
export function appendEvent(target: ShardTx | SqlStorage, event: AuditEvent, now: number): void {
  const values = [eventId(now), event.bucket, event.type, event.userId ?? null, event.clientId ?? null, JSON.stringify(event.data ?? {}), now] as const;
  if ("exec" in target) target.exec(APPEND, ...values);
  else insertEvent(target, values);
  appended++;
}

function insertEvent(tx: ShardTx, [id, bucket, type, userId, clientId, data, at]: readonly [string, number, string, string | null, string | null, string, number]): void {
  tx.insert(outbox).values({ id, bucket, type, userId, clientId, data, at }).run();
}

export const FLUSH_BATCH = 100;
/** D1 binds at most 100 parameters per statement; an audit row has 8. */
const ROWS_PER_INSERT = 12;

/**
 * Sends up to one batch of outbox rows to D1 `audit_log` and deletes exactly the
 * rows that landed. D1 runs a batch as one transaction, so either all of them
 * landed or none did. INSERT OR IGNORE on the event id makes a second delivery of
 * the same row (a flush that ran twice, or crashed between insert and delete) a
 * no-op: at-least-once delivery, exactly-once rows.
 *
 * Only events of buckets this shard owns and serves are sent: while a bucket is
 * fenced or incoming its outbox rows are being copied and checksummed, and after
 * a move they are sent by the new owner, from its copy (the event id keeps a
 * second delivery harmless either way).
 *
 * Returns how many rows were sent and whether more are waiting.
 */
/**
 * The oldest events of the buckets this shard serves (a fenced bucket's wait for its move).
 * EXISTS walks the outbox in primary-key (time) order and looks each bucket up by key;
 * an IN over owned_buckets would read every owned bucket on every flush.
 */
export function pendingEvents(db: ShardDb) {
  const serving = db
    .select({ one: ownedBuckets.bucket })
    .from(ownedBuckets)
    .where(and(eq(ownedBuckets.bucket, outbox.bucket), eq(ownedBuckets.state, "active")));
  return db.select().from(outbox).where(exists(serving)).orderBy(asc(outbox.id)).limit(FLUSH_BATCH);
}

export async function flushOutboxBatch(
  db: ShardDb,
  d1: D1Database,
  shardName: string | null,
): Promise<{ sent: number; more: boolean }> {
  const rows = pendingEvents(db).all();
  if (rows.length === 0) return { sent: 0, more: false };
  // Multi-row inserts, as many rows per statement as D1's 100 bound parameters allow: a
  // statement per event made the audit trail the token endpoint's largest D1 cost.
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const values = chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
    const sql = `INSERT OR IGNORE INTO audit_log (id, at, type, user_id, client_id, bucket, shard, data) VALUES ${values}`;
    statements.push(d1.prepare(sql).bind(...chunk.flatMap((r) => [r.id, r.at, r.type, r.userId, r.clientId, r.bucket, shardName, r.data])));
  }
  await d1.batch(statements);
  const ids = rows.map((r) => r.id);
  db.delete(outbox).where(inArray(outbox.id, ids)).run();
  return { sent: rows.length, more: rows.length === FLUSH_BATCH };
}
