import { and, asc, eq, exists, inArray } from "drizzle-orm";
import { outbox, ownedBuckets } from "../../../schema/do/user-shard/tables";
import { packMessages, parseEventData, type AuditMessage, type AuditRecord } from "../../audit/message";
import { jobsFor, type BackchannelJob } from "../../backchannel/message";
import { cibaJobsFor, type CibaJob } from "../../ciba/message";
import type { ShardDb, ShardTx } from "./db";
import { readMeta, writeMeta } from "./fencing";
import { currentRequestId } from "./request-context";

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

import { eventId } from "../../audit/event-id";

const APPEND = "INSERT INTO outbox (id, bucket, type, user_id, client_id, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)";

/**
 * Called inside the transaction that makes the change the event describes. Takes
 * drizzle's transaction (most operations) or the raw SQL handle (the hot paths);
 * both write through the same storage, inside the same transaction.
 */
export function appendEvent(target: ShardTx | SqlStorage, event: AuditEvent, now: number): void {
  // The request the change was made for, so an audit event leads to the request's log lines.
  const requestId = currentRequestId();
  const data = requestId === null ? (event.data ?? {}) : { ...event.data, request_id: requestId };
  const values = [eventId(now), event.bucket, event.type, event.userId ?? null, event.clientId ?? null, JSON.stringify(data), now] as const;
  if ("exec" in target) target.exec(APPEND, ...values);
  else insertEvent(target, values);
  appended++;
}

function insertEvent(tx: ShardTx, [id, bucket, type, userId, clientId, data, at]: readonly [string, number, string, string | null, string | null, string, number]): void {
  tx.insert(outbox).values({ id, bucket, type, userId, clientId, data, at }).run();
}

export const FLUSH_BATCH = 100;

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

/**
 * Sends up to one batch of outbox rows to the audit queue and deletes exactly the rows
 * that were sent. The queue accepted them durably once `send` resolved; a crash before
 * the delete sends them again, which is harmless: the event id travels with each event,
 * the D1 window inserts OR IGNORE on it and archive readers count it once.
 *
 * Only events of buckets this shard owns and serves are sent: while a bucket is
 * fenced or incoming its outbox rows are being copied and checksummed, and after
 * a move they are sent by the new owner, from its copy (the event id keeps a
 * second delivery harmless either way).
 *
 * Returns how many rows were sent and whether more are waiting.
 */
export async function flushOutboxBatch(
  db: ShardDb,
  queue: Queue<AuditMessage>,
  shardName: string | null,
  logoutQueue?: Queue<BackchannelJob>,
  notifyQueue?: Queue<CibaJob>,
): Promise<{ sent: number; more: boolean }> {
  const rows = pendingEvents(db).all();
  if (rows.length === 0) return { sent: 0, more: false };
  const records = rows.map((r): AuditRecord => ({
    id: r.id,
    at: r.at,
    type: r.type,
    user_id: r.userId,
    client_id: r.clientId,
    bucket: r.bucket,
    shard: shardName,
    data: parseEventData(r.data),
  }));
  const messages = packMessages(records);
  // One sendBatch call when it fits the queue's limits (100 messages, 256 KB), which is
  // every ordinary batch: a flush is one subrequest.
  if (messages.length <= 2) await queue.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
  else for (const body of messages) await queue.send(body, { contentType: "json" });
  // Back-channel logout: one job per client of each ended session, sent before the rows go,
  // so a crash in between sends them again (the logout token's jti stays the same).
  const jobs = logoutQueue ? records.flatMap(jobsFor) : [];
  for (let i = 0; i < jobs.length; i += 100) {
    await logoutQueue!.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
  // CIBA notifications, the same way: sent before the rows go; the event id keeps a repeat harmless.
  const notices = notifyQueue ? records.flatMap(cibaJobsFor) : [];
  for (let i = 0; i < notices.length; i += 100) {
    await notifyQueue!.sendBatch(notices.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
  const ids = rows.map((r) => r.id);
  db.delete(outbox).where(inArray(outbox.id, ids)).run();
  return { sent: rows.length, more: rows.length === FLUSH_BATCH };
}

/** How far behind the outbox is: events waiting, and the time of the oldest. */
export function outboxLag(sql: SqlStorage): { pending: number; oldestAt: number | null } {
  const row = sql.exec<{ n: number; oldest: number | null }>("SELECT count(*) AS n, min(at) AS oldest FROM outbox").one();
  return { pending: row.n, oldestAt: row.oldest };
}

/**
 * Keeps the outbox bounded while the queue is unreachable: beyond `max` events the
 * oldest are deleted (and counted in shard meta `outbox_dropped`), so a long outage
 * costs the oldest audit events, never the shard's storage or a sign-in.
 * Returns how many were dropped now.
 */
export function trimOutbox(sql: SqlStorage, max: number): number {
  const { pending } = outboxLag(sql);
  const excess = pending - max;
  if (excess <= 0) return 0;
  sql.exec("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT ?)", excess);
  return excess;
}

/**
 * The queue refused the outbox: bound the outbox (OUTBOX_MAX_EVENTS, oldest dropped and
 * counted in meta `outbox_dropped`) and say how far behind it is, as a structured log line an
 * operator can alert on (and in `shards status`).
 */
export function reportBacklog(storage: DurableObjectStorage, maxEvents: number, error: unknown): void {
  const sql = storage.sql;
  const dropped = storage.transactionSync(() => {
    const n = trimOutbox(sql, maxEvents);
    if (n > 0) writeMeta(sql, "outbox_dropped", String(Number(readMeta(sql, "outbox_dropped") ?? "0") + n));
    return n;
  });
  const lag = outboxLag(sql);
  console.error(
    JSON.stringify({
      level: dropped > 0 ? "error" : "warn",
      event: "audit.outbox_behind",
      shard: readMeta(sql, "shard_name") ?? null,
      pending: lag.pending,
      behind_s: lag.oldestAt === null ? 0 : Math.round((Date.now() - lag.oldestAt) / 1000),
      dropped_now: dropped,
      error: error instanceof Error ? error.message : String(error),
    }),
  );
}
