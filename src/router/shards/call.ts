import type { Failure, ShardResult } from "../../actors/results";
import type { Env } from "../../env";
import { shardOf } from "../../shard/map";
import { shardRpc, tracedShard, type ShardStub } from "../../shard/rpc";
import { currentTrace } from "../observability/trace";
import type { Config } from "../../config";
import { temporarilyUnavailable } from "../errors";
import { currentMap } from "./map-cache";

type DomainFailure = Failure<Exclude<Failure["error"], "wrong_shard" | "bucket_moving">>;

const FIRST_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 250;

/**
 * Calls the shard that owns `bucket` and handles the routing answers, so callers
 * only ever see success or a domain error:
 * - `wrong_shard`: our map is stale; refresh it once and retry on the new owner.
 * - `bucket_moving`: the bucket is fenced for a move; back off and retry within
 *   the retry budget, then answer 503 temporarily_unavailable with Retry-After.
 */
export async function callShard<T extends object>(
  env: Env,
  config: Config,
  bucket: number,
  call: (shard: ShardStub, name: string) => Promise<ShardResult<T>>,
): Promise<({ ok: true } & T) | DomainFailure> {
  const deadline = Date.now() + config.shardRetryBudgetMs;
  let map = await currentMap(env, config);
  let refreshed = false;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    const shard = shardOf(map, bucket);
    const trace = currentTrace();
    if (trace) {
      trace.shard = shard;
      trace.actorCalls++;
    }
    const result = await call(trace ? tracedShard(shardRpc(env, shard), trace.requestId) : shardRpc(env, shard), shard);
    if (result.ok) return result;
    if (trace && (result.error === "wrong_shard" || result.error === "bucket_moving")) trace.shardRetries++;
    if (result.error === "wrong_shard") {
      if (refreshed) throw temporarilyUnavailable("the user's shard is changing, retry shortly", 1, `bucket ${bucket}: wrong_shard after refresh`);
      map = await currentMap(env, config, { refresh: true, newerThan: map.version });
      refreshed = true;
      continue;
    }
    if (result.error === "bucket_moving") {
      const wait = Math.min(backoff, MAX_BACKOFF_MS);
      if (Date.now() + wait > deadline) {
        throw temporarilyUnavailable("the user's data is being moved, retry shortly", 1, `bucket ${bucket} fenced`);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      backoff *= 2;
      // A fence usually ends with the owner changing: look at the map again.
      map = await currentMap(env, config);
      continue;
    }
    return result as DomainFailure;
  }
}
