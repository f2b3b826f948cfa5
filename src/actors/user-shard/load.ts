import { gte, lt } from "drizzle-orm";
import { requestLoad } from "../../../schema/do/user-shard/tables";
import type { ShardDb } from "./db";
import type { LoadReport } from "./api";

/**
 * Requests served per bucket per minute, so operators can spot a hot shard and
 * plan moves by load. The current minute is counted in memory (no write per
 * request); a bucket's finished minute is written by its next request, inside
 * that request's transaction, so a busy bucket costs one small write a minute.
 *
 * The counters live in module memory, which several shards of one isolate may
 * share. They are keyed by bucket, and a bucket has exactly one owner, so each
 * count still belongs to one shard: a report only adds live counts of buckets
 * the reporting shard owns.
 */

export const LOAD_WINDOW_MINUTES = 15;
const MINUTE_MS = 60_000;

const live = new Map<number, { minute: number; requests: number }>();

function minuteOf(now: number): number {
  return Math.floor(now / MINUTE_MS);
}

/** Counts one served request of `bucket` (called by the ownership check once it passed). */
export function noteRequest(sql: SqlStorage, bucket: number, now = Date.now()): void {
  const minute = minuteOf(now);
  const counter = live.get(bucket);
  if (counter?.minute === minute) {
    counter.requests++;
    return;
  }
  live.set(bucket, { minute, requests: 1 });
  if (!counter || counter.minute < minute - LOAD_WINDOW_MINUTES) return;
  sql.exec(
    "INSERT INTO request_load (bucket, minute, requests) VALUES (?, ?, ?) ON CONFLICT (bucket, minute) DO UPDATE SET requests = requests + excluded.requests",
    bucket,
    counter.minute,
    counter.requests,
  );
}

/** The last `minutes` minutes (including the current one) of this shard's traffic; old rows are pruned. */
export function loadReport(db: ShardDb, owned: ReadonlySet<number>, now: number, minutes = LOAD_WINDOW_MINUTES): LoadReport {
  const current = minuteOf(now);
  const since = current - minutes + 1;
  db.delete(requestLoad).where(lt(requestLoad.minute, current - LOAD_WINDOW_MINUTES)).run();
  const rows = db.select().from(requestLoad).where(gte(requestLoad.minute, since)).all();
  const perMinute = new Array<number>(minutes).fill(0);
  const perBucket = new Map<number, number>();
  const add = (bucket: number, minute: number, requests: number) => {
    perMinute[minute - since] = (perMinute[minute - since] ?? 0) + requests;
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + requests);
  };
  for (const row of rows) if (row.minute <= current) add(row.bucket, row.minute, row.requests);
  for (const [bucket, counter] of live) {
    if (owned.has(bucket) && counter.minute >= since && counter.minute <= current) add(bucket, counter.minute, counter.requests);
  }
  return { since, perMinute, perBucket: [...perBucket].sort((a, b) => b[1] - a[1] || a[0] - b[0]) };
}
