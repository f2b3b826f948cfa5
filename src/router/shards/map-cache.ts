import type { DirectoryMap } from "../../actors/shard-directory";
import type { Env } from "../../env";
import { directoryStub } from "../../shard/stub";
import type { Config } from "../config";
import { temporarilyUnavailable } from "../errors";

/**
 * The shard map, cached per isolate for `mapCacheTtlMs`. Requests never call the
 * directory on the hot path; they refresh only when the TTL ran out or a shard
 * answered `wrong_shard`. Concurrent refreshes share one directory call.
 */
interface Cached {
  map: DirectoryMap;
  fetchedAt: number;
}

let cached: Cached | null = null;
let inflight: Promise<DirectoryMap> | null = null;

export async function currentMap(env: Env, config: Config, options: { refresh?: boolean; newerThan?: number } = {}): Promise<DirectoryMap> {
  const fresh = cached && Date.now() - cached.fetchedAt < config.mapCacheTtlMs;
  if (cached && fresh && !options.refresh) return cached.map;
  if (options.newerThan !== undefined && cached && cached.map.version > options.newerThan) return cached.map;
  inflight ??= fetchMap(env, config).finally(() => (inflight = null));
  return inflight;
}

async function fetchMap(env: Env, config: Config): Promise<DirectoryMap> {
  let result;
  try {
    result = await directoryStub(env).ensureMap(config.shardCount);
  } catch (error) {
    throw temporarilyUnavailable("the shard directory is unavailable, retry shortly", 1, String(error));
  }
  if (!result.ok) throw temporarilyUnavailable("the shard directory is unavailable, retry shortly", 1, result.error);
  cached = { map: result.map, fetchedAt: Date.now() };
  return result.map;
}

/** Drops the cached map (operator actions that change the map call this). */
export function forgetMap(): void {
  cached = null;
}
