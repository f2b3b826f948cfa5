import type { Env } from "../../env";
import { bucketCounts, type ShardMap } from "../../shard/map";
import { planRebalance, type RebalancePlan } from "../../shard/plan";
import { planByLoad, type LoadPlan } from "../../shard/plan-load";
import { bucketLoad, shardLoads } from "./shard-loads";
import type { PlanBy, PlanView } from "./api";

/**
 * Rebalance plans made where the map lives. By buckets the plan is the pure
 * minimal one (src/shard/plan.ts); by load it first asks every shard what it
 * served over the last minutes (src/shard/plan-load.ts).
 */
export async function makePlan(env: Env, map: ShardMap, shards: number, by: PlanBy): Promise<RebalancePlan | LoadPlan> {
  if (by === "buckets") return planRebalance(map, shards);
  return planByLoad(map, shards, bucketLoad(await shardLoads(env, map.shards)));
}

/** The plan as operators see it: per shard its buckets (and load) before and after. */
export function planView(map: ShardMap, plan: RebalancePlan | LoadPlan, by: PlanBy): PlanView {
  const before = bucketCounts(map);
  return {
    version: map.version,
    by,
    shards: plan.shards.map((name, i) => ({
      name,
      buckets_before: before[i] ?? 0,
      buckets_after: plan.targets[name] ?? 0,
      ...("loadBefore" in plan ? { load_before: plan.loadBefore[name] ?? 0, load_after: plan.loadAfter[name] ?? 0 } : {}),
      new: i >= map.shards.length,
    })),
    move_count: plan.moves.length,
    moves: [...plan.moves],
  };
}
