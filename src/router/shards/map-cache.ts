import type { Env } from "../../env";
import { directoryRpc } from "../../shard/rpc";
import type { Config } from "../../config";
import { temporarilyUnavailable } from "../errors";
import { StaleWhileRefresh } from "../stale-while-refresh";
import type { DirectoryMap } from "../../actors/directory/api";

/**
 * The shard map, cached per isolate for `mapCacheTtlMs`. Requests never call the
 * directory on the hot path; they refresh only when the TTL ran out or a shard
 * answered `wrong_shard`.
 *
 * When the TTL runs out, one request refreshes while the others go on with the
 * stale map (see StaleWhileRefresh) — safe, because every shard checks ownership
 * itself and answers `wrong_shard`.
 */
interface Cached {
  map: DirectoryMap;
  fetchedAt: number;
}

let cached: Cached | null = null;
const refresher = new StaleWhileRefresh();

export async function currentMap(env: Env, config: Config, options: { refresh?: boolean; newerThan?: number } = {}): Promise<DirectoryMap> {
  const now = Date.now();
  if (options.newerThan !== undefined && cached && cached.map.version > options.newerThan) return cached.map;
  if (cached && !options.refresh && refresher.canServe(cached.fetchedAt, config.mapCacheTtlMs, now)) return cached.map;
  return refresher.refresh(now, () => fetchMap(env, config));
}

async function fetchMap(env: Env, config: Config): Promise<DirectoryMap> {
  let result;
  try {
    result = await directoryRpc(env).ensureMap(config.shardCount);
  } catch (error) {
    throw temporarilyUnavailable("the shard directory is unavailable, retry shortly", 1, String(error));
  }
  if (!result.ok) throw temporarilyUnavailable("the shard directory is unavailable, retry shortly", 1, result.error);
  // Never replace a newer map with an older one fetched concurrently.
  if (!cached || result.map.version >= cached.map.version) cached = { map: result.map, fetchedAt: Date.now() };
  return result.map;
}

/** Drops the cached map (operator actions that change the map call this). */
export function forgetMap(): void {
  cached = null;
}
