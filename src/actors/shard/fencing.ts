import { eq } from "drizzle-orm";
import { ownedBuckets, shardMeta } from "../../../schema/do/user-shard/tables";
import { fail, type Failure, type OwnershipUpdate } from "../results";
import type { ShardDb, ShardTx } from "./db";
import { noteRequest } from "./load";

/**
 * Checked first inside every actor transaction: this shard answers for `bucket`
 * only while the directory says it owns it and the bucket is active. A router with
 * a stale map gets `wrong_shard`; a bucket paused for a move gets `bucket_moving`.
 */
export function checkBucket(tx: ShardTx, bucket: number): Failure<"wrong_shard" | "bucket_moving"> | null {
  const row = tx.select().from(ownedBuckets).where(eq(ownedBuckets.bucket, bucket)).get();
  if (!row) return fail("wrong_shard", `bucket ${bucket} is not owned by this shard`);
  if (row.state !== "active") return fail("bucket_moving", `bucket ${bucket} is ${row.state}`);
  noteRequest(tx, bucket);
  return null;
}

export function readMeta(tx: ShardTx | ShardDb, key: string): string | undefined {
  return tx.select().from(shardMeta).where(eq(shardMeta.key, key)).get()?.value;
}

export function writeMeta(tx: ShardTx, key: string, value: string): void {
  tx.insert(shardMeta).values({ key, value }).onConflictDoUpdate({ target: shardMeta.key, set: { value } }).run();
}

/**
 * Applies the directory's push. Pushes can arrive out of order or twice; only a
 * newer map version changes anything, so replays are harmless.
 */
export function applyOwnership(tx: ShardTx, update: OwnershipUpdate): boolean {
  const known = Number(readMeta(tx, "map_version") ?? "0");
  if (update.version <= known) return false;
  const name = readMeta(tx, "shard_name");
  if (name !== undefined && name !== update.shard) {
    throw new TypeError(`ownership for ${update.shard} pushed to shard ${name}`);
  }
  // Write only what changed: a push usually changes one bucket of a thousand, and
  // rewriting them all would lengthen every fence by tens of milliseconds.
  const current = new Map(tx.select().from(ownedBuckets).all().map((row) => [row.bucket, row]));
  for (const [bucket, epoch, state] of update.buckets) {
    const row = current.get(bucket);
    current.delete(bucket);
    if (!row) tx.insert(ownedBuckets).values({ bucket, epoch, state }).run();
    else if (row.epoch !== epoch || row.state !== state) tx.update(ownedBuckets).set({ epoch, state }).where(eq(ownedBuckets.bucket, bucket)).run();
  }
  for (const bucket of current.keys()) tx.delete(ownedBuckets).where(eq(ownedBuckets.bucket, bucket)).run();
  writeMeta(tx, "map_version", String(update.version));
  writeMeta(tx, "shard_name", update.shard);
  return true;
}
