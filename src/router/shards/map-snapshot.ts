import { MAP_SNAPSHOT_KEY, type DirectoryMap } from "../../actors/directory/api";
import { BUCKET_STATES, type BucketState } from "../../actors/results";
import type { Env } from "../../env";
import { BUCKET_COUNT } from "../../shard/bucket";
import { MAX_SHARDS } from "../../shard/map";

/**
 * The last map the directory published to KV (src/actors/directory/snapshot.ts). A
 * router reads it only when it holds no map and the directory cannot be reached: a
 * cold isolate during a directory outage routes from it instead of failing. It may
 * be a version behind (KV is eventually consistent); the shards' fencing keeps that
 * safe. Null when there is none, KV fails too, or the value is not a whole map —
 * routing by half a map would send users to shards that never owned them.
 */
export async function readMapSnapshot(env: Pick<Env, "MAP_SNAPSHOT">): Promise<DirectoryMap | null> {
  let value: unknown;
  try {
    value = await env.MAP_SNAPSHOT.get(MAP_SNAPSHOT_KEY, "json");
  } catch (error) {
    console.error("shard map snapshot: KV read failed", String(error));
    return null;
  }
  if (value === null) return null;
  const map = asDirectoryMap(value);
  if (!map) console.error("shard map snapshot: the stored value is not a whole shard map; ignored");
  return map;
}

/** `value` as a DirectoryMap when it is one in every part, else null. */
export function asDirectoryMap(value: unknown): DirectoryMap | null {
  if (typeof value !== "object" || value === null) return null;
  const { version, shards, owner, epochs, states } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(version) || (version as number) < 1) return null;
  if (!Array.isArray(shards) || shards.length < 1 || shards.length > MAX_SHARDS) return null;
  if (!shards.every((s) => typeof s === "string" && s.length > 0)) return null;
  if (!perBucket(owner, (o) => Number.isInteger(o) && (o as number) >= 0 && (o as number) < shards.length)) return null;
  if (!perBucket(epochs, (e) => Number.isSafeInteger(e) && (e as number) >= 1)) return null;
  if (!perBucket(states, (s) => (BUCKET_STATES as readonly unknown[]).includes(s))) return null;
  return {
    version: version as number,
    shards: shards as string[],
    owner: owner as number[],
    epochs: epochs as number[],
    states: states as BucketState[],
  };
}

function perBucket(list: unknown, valid: (entry: unknown) => boolean): boolean {
  return Array.isArray(list) && list.length === BUCKET_COUNT && list.every(valid);
}
