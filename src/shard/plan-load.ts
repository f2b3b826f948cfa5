import { BUCKET_COUNT } from "./bucket";
import { assertShardCount, bucketCounts, nextShardName, type ShardMap } from "./map";
import type { BucketMove, RebalancePlan } from "./plan";

/** A load plan also says how the load spreads before and after. */
export interface LoadPlan extends RebalancePlan {
  readonly loadBefore: Readonly<Record<string, number>>;
  readonly loadAfter: Readonly<Record<string, number>>;
}

/** Stop once the busiest shard is within this fraction of the mean: every move costs a fence. */
export const LOAD_TOLERANCE = 0.05;

/**
 * Plans bucket moves that even out *load* (requests per bucket over the last
 * minutes, as the shards report them) across the first `targetShardCount` shards,
 * emptying any shard beyond them. Each bucket weighs its requests plus one, so
 * buckets without traffic still count and, with no load at all, the plan evens
 * out bucket counts.
 *
 * Greedy: buckets of shards being emptied go, heaviest first, to the lightest
 * shard; then, while the busiest shard is more than LOAD_TOLERANCE above the mean,
 * the bucket of the busiest shard whose weight is closest to half the gap to the
 * lightest moves there (strictly lowering the busiest shard's load). A bucket moves
 * at most once. Not provably minimal, but each move removes as much imbalance as
 * one move can, and the tolerance keeps it from chasing noise.
 *
 * Deterministic: ties break by shard index, then by bucket number.
 */
export function planByLoad(map: ShardMap, targetShardCount: number, load: ReadonlyMap<number, number>, tolerance = LOAD_TOLERANCE): LoadPlan {
  assertShardCount(targetShardCount, "targetShardCount");
  const shards = [...map.shards];
  while (shards.length < targetShardCount) shards.push(nextShardName(shards));
  const weight = (bucket: number) => Math.max(0, load.get(bucket) ?? 0) + 1;

  const owner = [...map.owner];
  const totals = shards.map(() => 0);
  owner.forEach((s, bucket) => (totals[s] = totals[s]! + weight(bucket)));
  const before = record(shards, totals);
  const moved = new Set<number>();
  const give = (bucket: number, to: number) => {
    totals[owner[bucket]!] = totals[owner[bucket]!]! - weight(bucket);
    totals[to] = totals[to]! + weight(bucket);
    owner[bucket] = to;
    moved.add(bucket);
  };
  const lightest = () => argBest(targetShardCount, (i) => -totals[i]!);

  // Shards beyond the target count give everything away.
  const leaving = owner.map((s, bucket) => ({ s, bucket })).filter(({ s }) => s >= targetShardCount);
  leaving.sort((a, b) => weight(b.bucket) - weight(a.bucket) || a.bucket - b.bucket);
  for (const { bucket } of leaving) give(bucket, lightest());

  const mean = totals.slice(0, targetShardCount).reduce((a, b) => a + b, 0) / targetShardCount;
  for (let step = 0; step < BUCKET_COUNT; step++) {
    const donor = argBest(targetShardCount, (i) => totals[i]!);
    const receiver = lightest();
    const gap = totals[donor]! - totals[receiver]!;
    if (totals[donor]! <= mean * (1 + tolerance) || gap <= 0) break;
    let best = -1;
    let bestScore = -1;
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      if (owner[bucket] !== donor || moved.has(bucket) || weight(bucket) >= gap) continue;
      const score = Math.min(weight(bucket), gap - weight(bucket));
      if (score > bestScore) [best, bestScore] = [bucket, score];
    }
    if (best < 0) break;
    give(best, receiver);
  }

  const moves: BucketMove[] = [...moved]
    .filter((bucket) => owner[bucket] !== map.owner[bucket])
    .sort((a, b) => a - b)
    .map((bucket) => ({ bucket, from: shards[map.owner[bucket]!]!, to: shards[owner[bucket]!]! }));
  const counts = bucketCounts({ version: map.version, shards, owner });
  return { shards, targets: record(shards, counts), moves, loadBefore: before, loadAfter: record(shards, totals) };
}

function argBest(n: number, score: (i: number) => number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (score(i) > score(best)) best = i;
  return best;
}

function record(shards: readonly string[], values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  shards.forEach((name, i) => (out[name] = values[i] ?? 0));
  return out;
}
