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

/** Transactions that appended an event: the actor schedules an outbox flush after exactly those. */
const appendedIn = new WeakSet<ShardTx>();

/** Called inside the transaction that makes the change the event describes. */
export function appendEvent(tx: ShardTx, event: AuditEvent, now: number): void {
  tx.insert(outbox)
    .values({
      id: crypto.randomUUID(),
      bucket: event.bucket,
      type: event.type,
      userId: event.userId ?? null,
      clientId: event.clientId ?? null,
      data: JSON.stringify(event.data ?? {}),
      at: now,
    })
    .run();
  appendedIn.add(tx);
}

/** Whether `appendEvent` ran in this transaction (asked before it commits). */
export function appendedEvents(tx: ShardTx): boolean {
  return appendedIn.has(tx);
}

export const FLUSH_BATCH = 100;

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
 * EXISTS walks the outbox by its `at` index and looks each bucket up by key; an IN over
 * owned_buckets would read every owned bucket on every flush.
 */
export function pendingEvents(db: ShardDb) {
  const serving = db
    .select({ one: ownedBuckets.bucket })
    .from(ownedBuckets)
    .where(and(eq(ownedBuckets.bucket, outbox.bucket), eq(ownedBuckets.state, "active")));
  return db.select().from(outbox).where(exists(serving)).orderBy(asc(outbox.at), asc(outbox.id)).limit(FLUSH_BATCH);
}

export async function flushOutboxBatch(
  db: ShardDb,
  d1: D1Database,
  shardName: string | null,
): Promise<{ sent: number; more: boolean }> {
  const rows = pendingEvents(db).all();
  if (rows.length === 0) return { sent: 0, more: false };
  const insert = d1.prepare(
    "INSERT OR IGNORE INTO audit_log (id, at, type, user_id, client_id, bucket, shard, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  await d1.batch(rows.map((r) => insert.bind(r.id, r.at, r.type, r.userId, r.clientId, r.bucket, shardName, r.data)));
  const ids = rows.map((r) => r.id);
  db.delete(outbox).where(inArray(outbox.id, ids)).run();
  return { sent: rows.length, more: rows.length === FLUSH_BATCH };
}
