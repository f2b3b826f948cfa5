import { BUCKET_COUNT } from "./bucket";
import { assertShardCount, bucketCounts, nextShardName, type ShardMap } from "./map";

export interface BucketMove {
  readonly bucket: number;
  readonly from: string;
  readonly to: string;
}

export interface RebalancePlan {
  /** Shard names after the plan: existing ones first, then any added. */
  readonly shards: readonly string[];
  /** Buckets each shard should own afterwards. */
  readonly targets: Readonly<Record<string, number>>;
  readonly moves: readonly BucketMove[];
}

/**
 * Plans the fewest bucket moves that leave the first `targetShardCount` shards
 * (adding `shard-<i>` names as needed) within one bucket of even, and every shard
 * beyond them empty.
 *
 * Why it is minimal: a shard that ends with quota q and starts with c buckets must
 * give away at least max(0, c - q); the plan moves exactly the sum of those. Among
 * the quotas (⌊4096/n⌋ or one more), the extra buckets go to the shards that
 * already hold the most, which makes that sum as small as it can be.
 *
 * Deterministic: ties break by shard index, donors give their highest-numbered
 * buckets, receivers are filled in index order.
 */
export function planRebalance(map: ShardMap, targetShardCount: number): RebalancePlan {
  assertShardCount(targetShardCount, "targetShardCount");
  const shards = [...map.shards];
  while (shards.length < targetShardCount) shards.push(nextShardName(shards));

  const counts = bucketCounts(map);
  while (counts.length < shards.length) counts.push(0);

  const quota = quotas(counts, targetShardCount);
  const targets: Record<string, number> = {};
  shards.forEach((name, i) => (targets[name] = quota[i] ?? 0));

  // Buckets each over-quota shard gives away: its highest-numbered ones.
  const surplus: Array<{ bucket: number; from: number }> = [];
  const byShard: number[][] = shards.map(() => []);
  map.owner.forEach((owner, bucket) => byShard[owner]?.push(bucket));
  byShard.forEach((buckets, i) => {
    const excess = buckets.length - (quota[i] ?? 0);
    for (const bucket of buckets.slice(buckets.length - Math.max(0, excess))) surplus.push({ bucket, from: i });
  });
  surplus.sort((a, b) => a.bucket - b.bucket);

  const moves: BucketMove[] = [];
  let next = 0;
  shards.forEach((name, i) => {
    const deficit = (quota[i] ?? 0) - (counts[i] ?? 0);
    for (let k = 0; k < deficit; k++) {
      const give = surplus[next++];
      if (!give) throw new Error("planRebalance: surplus and deficit disagree");
      moves.push({ bucket: give.bucket, from: shards[give.from]!, to: name });
    }
  });
  moves.sort((a, b) => a.bucket - b.bucket);
  return { shards, targets, moves };
}

function quotas(counts: readonly number[], targetShardCount: number): number[] {
  const base = Math.floor(BUCKET_COUNT / targetShardCount);
  const extra = BUCKET_COUNT % targetShardCount;
  const quota = counts.map((_, i) => (i < targetShardCount ? base : 0));
  const richestFirst = quota
    .map((_, i) => i)
    .filter((i) => i < targetShardCount)
    .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a - b);
  for (const i of richestFirst.slice(0, extra)) quota[i] = base + 1;
  return quota;
}

/** The map that results from applying `plan` to `map` (version bumped once). */
export function applyPlan(map: ShardMap, plan: RebalancePlan): ShardMap {
  const owner = [...map.owner];
  for (const move of plan.moves) owner[move.bucket] = plan.shards.indexOf(move.to);
  return { version: map.version + 1, shards: [...plan.shards], owner };
}
