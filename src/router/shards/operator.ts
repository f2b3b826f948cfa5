import type { Failure, ShardResult } from "../../actors/results";
import type { Env } from "../../env";
import { bucketCounts, type ShardMap } from "../../shard/map";
import { planRebalance, type RebalancePlan } from "../../shard/plan";
import { planByLoad, type LoadPlan } from "../../shard/plan-load";
import { conflict, invalidRequest, notFound, OAuthError } from "../errors";
import { directoryRpc, shardRpc } from "../../shard/rpc";
import type { LoadReport } from "../../actors/user-shard/api";
import type { MoveListing } from "../../actors/directory/api";

/**
 * What the operator API does with shards beyond routing: status with load, plans,
 * and the typed directory stub. Routes live in endpoints/admin/shards*.ts.
 */

export const directory = (env: Env) => directoryRpc(env);

/** Turns a directory refusal into the operator API's error response. */
export function orThrow<T extends object>(result: ShardResult<T> | ({ ok: true } & T) | Failure<string>): { ok: true } & T {
  if (result.ok) return result as { ok: true } & T;
  const message = result.detail ?? result.error;
  if (result.error === "conflict") throw conflict(message);
  if (result.error === "not_found") throw notFound(message);
  if (result.error === "invalid_input") throw invalidRequest(message);
  throw new OAuthError("server_error", 500, message);
}

export interface ShardLoad {
  name: string;
  report: LoadReport | null;
}

/** Each shard's load report; a shard that does not answer reports null rather than failing the page. */
export async function shardLoads(env: Env, map: ShardMap): Promise<ShardLoad[]> {
  return Promise.all(
    map.shards.map(async (name) => {
      try {
        const report = await shardRpc(env, name).loadReport();
        return { name, report: report.ok ? report : null };
      } catch {
        return { name, report: null };
      }
    }),
  );
}

/** Requests per bucket over the window, summed over every shard that served the bucket. */
export function bucketLoad(loads: readonly ShardLoad[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const { report } of loads) for (const [bucket, n] of report?.perBucket ?? []) out.set(bucket, (out.get(bucket) ?? 0) + n);
  return out;
}

export type PlanBy = "buckets" | "load";

export async function makePlan(env: Env, map: ShardMap, shards: number, by: PlanBy): Promise<RebalancePlan | LoadPlan> {
  if (by === "buckets") return planRebalance(map, shards);
  return planByLoad(map, shards, bucketLoad(await shardLoads(env, map)));
}

/** The plan as the API shows it. */
export function presentPlan(map: ShardMap, plan: RebalancePlan | LoadPlan, by: PlanBy) {
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
    moves: plan.moves,
  };
}

/** A shard's requests in the last 1, 5 and 15 minutes, and per minute (oldest first). */
export function presentLoad(report: LoadReport | null) {
  if (!report) return null;
  const sum = (n: number) => report.perMinute.slice(-n).reduce((a, b) => a + b, 0);
  return { last_1m: sum(1), last_5m: sum(5), last_15m: sum(15), per_minute: report.perMinute, hottest_buckets: report.perBucket.slice(0, 5) };
}

export async function moveListing(env: Env, options: { open?: boolean; limit?: number; planId?: string }): Promise<MoveListing> {
  return orThrow(await directory(env).listMoves(options));
}
