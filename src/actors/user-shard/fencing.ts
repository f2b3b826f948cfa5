import { fail, type Failure, type OwnershipUpdate } from "../results";
import { noteRequest } from "./load";

/**
 * Checked first inside every actor transaction: this shard answers for `bucket`
 * only while the directory says it owns it and the bucket is active. A router with
 * a stale map gets `wrong_shard`; a bucket paused for a move gets `bucket_moving`.
 *
 * The states come from `owned` (OwnedBuckets), which reads owned_buckets once per
 * bucket and then answers from memory: measured with `npm run load:profile`, the
 * SELECT was 5 % of /userinfo's samples, one of its two statements.
 */
export function checkBucket(sql: SqlStorage, owned: OwnedBuckets, bucket: number): Failure<"wrong_shard" | "bucket_moving"> | null {
  const state = owned.stateOf(sql, bucket);
  if (state === null) return fail("wrong_shard", `bucket ${bucket} is not owned by this shard`);
  if (state !== "active") return fail("bucket_moving", `bucket ${bucket} is ${state}`);
  noteRequest(sql, bucket);
  return null;
}

/**
 * One actor's owned_buckets, as read: a bucket's state (or null, not owned) is read
 * from SQLite the first time a call asks for it, then held. applyOwnership is the only
 * writer of the table, and it empties this before it writes anything, inside the
 * same synchronous transaction: if the push commits, the next check reads the new
 * rows; if it rolls back, the next check reads the old rows again. Nothing else runs
 * between a push and the next call (an actor runs one synchronous method at a time),
 * so no check ever answers from a state the table no longer holds.
 *
 * Per actor instance, never per isolate: the shards of one class can share an isolate.
 */
export class OwnedBuckets {
  private readonly states = new Map<number, string | null>();

  stateOf(sql: SqlStorage, bucket: number): string | null {
    let state = this.states.get(bucket);
    if (state === undefined) {
      state = sql.exec<{ state: string }>("SELECT state FROM owned_buckets WHERE bucket = ?", bucket).toArray()[0]?.state ?? null;
      this.states.set(bucket, state);
    }
    return state;
  }

  /** Before any write to owned_buckets. */
  forget(): void {
    this.states.clear();
  }
}

/** shard_meta (name, map version, next sweep) in raw SQL: applyOwnership uses it inside a move's fence. */
export function readMeta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>("SELECT value FROM shard_meta WHERE key = ?", key).toArray()[0]?.value;
}

export function writeMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec("INSERT INTO shard_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
}

/**
 * Applies the directory's push. Pushes can arrive out of order or twice; only a
 * newer map version changes anything, so replays are harmless. A delta push (with
 * `base`) applies only on top of exactly that version; otherwise the shard asks
 * for the full list ("resync").
 *
 * Raw SQL, and only the rows that changed are written: a push sits inside every
 * bucket move's fence, where each millisecond counts.
 */
export function applyOwnership(storage: DurableObjectStorage, owned: OwnedBuckets, update: OwnershipUpdate): boolean | "resync" {
  const sql = storage.sql;
  const upsert = (bucket: number, epoch: number, state: string) =>
    sql.exec("INSERT INTO owned_buckets (bucket, epoch, state) VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE SET epoch = excluded.epoch, state = excluded.state", bucket, epoch, state);
  return storage.transactionSync(() => {
    const known = Number(readMeta(sql, "map_version") ?? "0");
    if (update.version <= known) return false;
    const name = readMeta(sql, "shard_name");
    if (name !== undefined && name !== update.shard) throw new TypeError(`ownership for ${update.shard} pushed to shard ${name}`);
    owned.forget();
    if (update.base !== undefined) {
      if (update.base !== known) return "resync";
      for (const [bucket, epoch, state] of update.buckets) upsert(bucket, epoch, state);
      for (const bucket of update.removed ?? []) sql.exec("DELETE FROM owned_buckets WHERE bucket = ?", bucket);
    } else {
      const current = new Map<number, string>();
      for (const [bucket, epoch, state] of sql.exec("SELECT bucket, epoch, state FROM owned_buckets").raw()) current.set(Number(bucket), `${epoch}:${state}`);
      for (const [bucket, epoch, state] of update.buckets) {
        const held = current.get(bucket);
        current.delete(bucket);
        if (held !== `${epoch}:${state}`) upsert(bucket, epoch, state);
      }
      for (const bucket of current.keys()) sql.exec("DELETE FROM owned_buckets WHERE bucket = ?", bucket);
    }
    writeMeta(sql, "map_version", String(update.version));
    writeMeta(sql, "shard_name", update.shard);
    return true;
  });
}
