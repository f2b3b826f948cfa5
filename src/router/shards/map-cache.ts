import type { Env } from "../../env";
import { directoryRpc } from "../../shard/rpc";
import type { Config } from "../../config";
import { temporarilyUnavailable } from "../errors";
import { StaleWhileRefresh } from "../stale-while-refresh";
import type { DirectoryMap } from "../../actors/directory/api";
import { readMapSnapshot } from "./map-snapshot";

/**
 * The shard map, cached per isolate for `mapCacheTtlMs`. Requests never wait for
 * the directory on the hot path:
 * - past the TTL, the map is still served while one refresh runs in the background
 *   (StaleWhileRefresh) — safe, because every shard checks ownership itself and
 *   answers `wrong_shard`;
 * - while the directory is down, the isolate keeps routing with the map it holds
 *   and looks again after a backoff (1 s doubling to 30 s);
 * - a request waits for the directory only when the isolate holds no map, or a
 *   shard said `wrong_shard` (the map is known stale). A cold isolate whose
 *   directory call fails routes from the KV snapshot (map-snapshot.ts); with no
 *   snapshot either, or no newer map after a `wrong_shard`, the request fails with
 *   503 temporarily_unavailable and Retry-After — it never reaches a wrong shard.
 */
interface Cached {
  map: DirectoryMap;
  /** When the directory gave it; -Infinity for a KV snapshot, which is never fresh. */
  fetchedAt: number;
}

let cached: Cached | null = null;
const refresher = new StaleWhileRefresh();

const UNAVAILABLE = "the shard directory is unavailable, retry shortly";

export async function currentMap(env: Env, config: Config, options: { refresh?: boolean; newerThan?: number } = {}): Promise<DirectoryMap> {
  const now = Date.now();
  if (options.newerThan !== undefined && cached && cached.map.version > options.newerThan) return cached.map;
  if (cached && !options.refresh) {
    if (!refresher.isFresh(cached.fetchedAt, config.mapCacheTtlMs, now)) {
      const held = cached.map.version;
      refresher.refreshInBackground(now, () => fetchMap(env, config), (error) =>
        console.warn(`shard directory unreachable; routing with map version ${held}`, String(error)),
      );
    }
    return cached.map;
  }
  if (refresher.backoff.waiting(now)) return fallback(env, now, "the directory failed moments ago (backing off)");
  try {
    return await refresher.refresh(now, () => fetchMap(env, config));
  } catch (error) {
    return fallback(env, Date.now(), String(error));
  }
}

/**
 * No map from the directory. An isolate that holds a map was asked for a newer one
 * (a shard said `wrong_shard`): none can be had, so 503. A cold isolate routes from
 * the KV snapshot if there is one.
 */
async function fallback(env: Env, now: number, why: string): Promise<DirectoryMap> {
  const retryAfter = refresher.backoff.retryAfterS(now);
  if (cached) throw temporarilyUnavailable(UNAVAILABLE, retryAfter, `no newer map than version ${cached.map.version}: ${why}`);
  const snapshot = await readMapSnapshot(env);
  if (!snapshot) throw temporarilyUnavailable(UNAVAILABLE, retryAfter, `no map and no snapshot: ${why}`);
  console.warn(`shard directory unreachable; routing from the KV snapshot, map version ${snapshot.version}`);
  if (!cached) cached = { map: snapshot, fetchedAt: Number.NEGATIVE_INFINITY };
  return cached.map;
}

async function fetchMap(env: Env, config: Config): Promise<DirectoryMap> {
  let result;
  try {
    result = await directoryRpc(env).ensureMap(config.shardCount);
  } catch (error) {
    throw new Error(`ensureMap failed: ${String(error)}`);
  }
  if (!result.ok) throw new Error(`ensureMap refused: ${result.error}`);
  // Never replace a newer map with an older one fetched concurrently.
  if (!cached || result.map.version >= cached.map.version) cached = { map: result.map, fetchedAt: Date.now() };
  return result.map;
}

/**
 * Drops the cached map and any memory of directory failures: the next request asks
 * the directory at once (operator actions that change the map call this; so do tests).
 */
export function forgetMap(): void {
  cached = null;
  refresher.reset();
}
