import { BUCKET_COUNT, isBucket } from "./bucket.ts";
import { MAX_SHARDS } from "./limits.ts";

export { MAX_SHARDS };

/**
 * The versioned shard map: which shard owns each bucket. `owner[bucket]` is an
 * index into `shards`. `version` grows on every change so routers and shards can
 * tell a stale map from a fresh one.
 */
export interface ShardMap {
  readonly version: number;
  readonly shards: readonly string[];
  readonly owner: readonly number[];
}

export function shardName(index: number): string {
  return `shard-${index}`;
}

export function assertShardCount(count: number, what: string): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new TypeError(`${what} must be an integer between 1 and ${MAX_SHARDS}, got ${count}`);
  }
}

/** The name the next added shard gets: `shard-<i>`, the first free one from the list's length on. */
export function nextShardName(existing: readonly string[]): string {
  for (let i = existing.length; ; i++) {
    const name = shardName(i);
    if (!existing.includes(name)) return name;
  }
}

/** Buckets dealt round-robin: shard i owns every bucket b with b % n === i. */
export function initialMap(shardCount: number): ShardMap {
  assertShardCount(shardCount, "shardCount");
  const shards = Array.from({ length: shardCount }, (_, i) => shardName(i));
  const owner = Array.from({ length: BUCKET_COUNT }, (_, b) => b % shardCount);
  return { version: 1, shards, owner };
}

export function shardOf(map: ShardMap, bucket: number): string {
  if (!isBucket(bucket)) throw new TypeError(`bucket must be an integer in [0, ${BUCKET_COUNT}), got ${bucket}`);
  const index = map.owner[bucket];
  const name = index === undefined ? undefined : map.shards[index];
  if (name === undefined) throw new TypeError(`shard map has no owner for bucket ${bucket}`);
  return name;
}

/** Number of buckets each shard in `map.shards` owns. */
export function bucketCounts(map: ShardMap): number[] {
  const counts = map.shards.map(() => 0);
  for (const index of map.owner) counts[index] = (counts[index] ?? 0) + 1;
  return counts;
}

export function bucketsOf(map: ShardMap, shard: string): number[] {
  const index = map.shards.indexOf(shard);
  const buckets: number[] = [];
  if (index < 0) return buckets;
  map.owner.forEach((owner, bucket) => {
    if (owner === index) buckets.push(bucket);
  });
  return buckets;
}
