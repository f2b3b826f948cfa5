import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { MAP_SNAPSHOT_KEY, type MapSnapshot } from "../../src/actors/directory/api";
import type { Env } from "../../src/env";
import { asDirectoryMap } from "../../src/router/shards/map-snapshot";
import { currentDirectoryMap, directory } from "../helpers/shards";
import { Outage } from "./outage";

/**
 * The directory publishes every map version the shards hold to KV (MAP_SNAPSHOT), for
 * router isolates that start while it is down. Publishing never holds up or fails a
 * map change.
 */

const readSnapshot = () => env.MAP_SNAPSHOT.get<MapSnapshot>(MAP_SNAPSHOT_KEY, "json");

async function snapshotAt(version: number): Promise<MapSnapshot> {
  let snapshot: MapSnapshot | null = null;
  await vi.waitFor(
    async () => {
      snapshot = await readSnapshot();
      expect(snapshot?.version).toBe(version);
    },
    { timeout: 5_000, interval: 50 },
  );
  return snapshot!;
}

/** Replaces the directory's own MAP_SNAPSHOT binding (what it sees of KV) for the rest of `run`. */
async function withDirectoryKv<T>(kv: KVNamespace, run: () => Promise<T>): Promise<T> {
  const swap = (next: (env: Env) => Env) =>
    runInDurableObject(directory(), (instance) => {
      const actor = instance as unknown as { env: Env };
      actor.env = next(actor.env);
    });
  let original: KVNamespace | undefined;
  await swap((current) => {
    original = current.MAP_SNAPSHOT;
    return { ...current, MAP_SNAPSHOT: kv };
  });
  try {
    return await run();
  } finally {
    await swap((current) => ({ ...current, MAP_SNAPSHOT: original! }));
  }
}

/** A KV namespace (for the directory, which only writes) that counts writes and passes them on to `inner`, or refuses them while `failing`. */
function countingKv(inner: KVNamespace, outage: Outage, state = { failing: false, puts: 0 }) {
  const kv = {
    put: (key: string, value: string) => {
      state.puts++;
      return state.failing ? outage.refuse("KV PUT failed: 503 Service Unavailable") : inner.put(key, value);
    },
  } as unknown as KVNamespace;
  return { kv, state };
}

describe("the shard map snapshot in KV", () => {
  it("carries every version the shards hold, as a whole map a router can route by", async () => {
    const map = await currentDirectoryMap();
    await snapshotAt(map.version);
    const bucket = 17;
    const to = map.shards.find((s) => s !== map.shards[map.owner[bucket]!])!;
    const moved = await directory().assignBucket(bucket, to);
    expect(moved.ok).toBe(true);
    const version = moved.ok ? moved.map.version : 0;
    expect(version).toBeGreaterThan(map.version);

    const snapshot = await snapshotAt(version);
    expect(snapshot.published_at).toBeLessThanOrEqual(Date.now());
    const routable = asDirectoryMap(snapshot);
    expect(routable).not.toBeNull();
    expect(routable!.shards[routable!.owner[bucket]!]).toBe(to);
    expect(routable!.epochs[bucket]).toBe(map.epochs[bucket]! + 1);
  });

  it("writes a burst of versions as its last one, at most one write a second (KV's limit per key)", async () => {
    const { version } = await currentDirectoryMap();
    await snapshotAt(version);
    const { kv, state } = countingKv(env.MAP_SNAPSHOT, new Outage());
    const last = await withDirectoryKv(kv, async () => {
      let latest = version;
      for (let i = 0; i < 6; i++) {
        const changed = await directory().setBucketState([42], i % 2 === 0 ? "fenced" : "active");
        if (changed.ok) latest = changed.map.version;
      }
      await snapshotAt(latest);
      return latest;
    });
    expect(last).toBe(version + 6);
    // The first change is written at once, the five that came meanwhile together a second later.
    expect(state.puts).toBeGreaterThanOrEqual(1);
    expect(state.puts).toBeLessThanOrEqual(2);
  });

  it("a failed KV write fails no map change; the directory's alarm writes it later", async () => {
    const { version } = await currentDirectoryMap();
    await snapshotAt(version);
    const outage = new Outage();
    const { kv, state } = countingKv(env.MAP_SNAPSHOT, outage, { failing: true, puts: 0 });
    await withDirectoryKv(kv, async () => {
      const changed = await directory().setBucketState([43], "fenced");
      expect(changed.ok).toBe(true);
      expect((await directory().getMap()).ok && (await currentDirectoryMap()).states[43]).toBe("fenced");
      await vi.waitFor(() => expect(outage.calls).toBe(1), { timeout: 3_000, interval: 20 });
      expect((await readSnapshot())?.version).toBe(version);

      // KV is back; the retry is the alarm's (set for the retry time), run now.
      state.failing = false;
      expect(await runDurableObjectAlarm(directory())).toBe(true);
      expect((await readSnapshot())?.version).toBe(version + 1);
    });
    await directory().setBucketState([43], "active");
  });
});
