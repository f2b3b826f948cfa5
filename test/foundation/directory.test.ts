import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BUCKET_COUNT } from "../../src/shard/bucket";
import { bucketsOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { admin, json } from "../helpers/http";
import { directory, rowsIn } from "../helpers/shards";

describe("ShardDirectoryActor: the versioned bucket map", () => {
  it("creates exactly one map when many first requests race, and every shard learns its buckets", async () => {
    // 25 concurrent first callers: directly and through the router.
    const direct = Array.from({ length: 15 }, () => directory().ensureMap(4));
    const routed = Array.from({ length: 10 }, () => admin("GET", "/shards"));
    const [maps, responses] = await Promise.all([Promise.all(direct), Promise.all(routed)]);

    for (const result of maps) {
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.map.version).toBe(1);
      expect(result.map.shards).toEqual(["shard-0", "shard-1", "shard-2", "shard-3"]);
      expect(result.map.owner).toEqual(maps[0]!.ok ? maps[0]!.map.owner : []);
    }
    for (const res of responses) expect(res.status).toBe(200);

    const map = maps[0]!.ok ? maps[0]!.map : null;
    expect(map).not.toBeNull();
    let owned = 0;
    for (const shard of map!.shards) {
      // The shard's own fencing table matches the directory exactly (pushed, not guessed).
      const rows = await rowsIn(shard, "owned_buckets");
      const expected = bucketsOf(map!, shard);
      expect(rows.map((r) => r.bucket).sort((a, b) => Number(a) - Number(b))).toEqual(expected);
      expect(rows.every((r) => r.state === "active" && r.epoch === 1)).toBe(true);
      const stats = await stubFor(env, shard).stats();
      expect(stats.ok && stats.mapVersion).toBe(1);
      owned += rows.length;
    }
    expect(owned).toBe(BUCKET_COUNT);
  });

  it("ignores a different SHARD_COUNT once the map exists (shards change only by rebalancing)", async () => {
    const again = await directory().ensureMap(8);
    expect(again.ok && again.map.shards.length).toBe(4);
    expect(again.ok && again.map.version).toBe(1);
  });

  it("rejects nonsense shard counts and buckets with invalid_input, not a crash", async () => {
    expect(await directory().ensureMap(0)).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().setBucketState([BUCKET_COUNT], "fenced")).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().assignBucket(0, "shard-99")).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().planRebalance(0, "buckets")).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().planRebalance(4, "cpu" as "load")).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().verify(BUCKET_COUNT, 1)).toMatchObject({ ok: false, error: "invalid_input" });
    expect(await directory().verify(0, 513)).toMatchObject({ ok: false, error: "invalid_input" });
  });

  it("bumps the version and epoch on an owner change and pushes it to both shards only", async () => {
    const before = await directory().getMap();
    if (!before.ok) throw new Error("no map");
    const bucket = 7;
    const from = before.map.shards[before.map.owner[bucket]!]!;
    const to = before.map.shards.find((s) => s !== from)!;
    const untouched = before.map.shards.find((s) => s !== from && s !== to)!;

    const after = await directory().assignBucket(bucket, to);
    if (!after.ok) throw new Error(after.error);
    expect(after.map.version).toBe(before.map.version + 1);
    expect(after.map.epochs[bucket]).toBe(before.map.epochs[bucket]! + 1);
    expect(after.map.shards[after.map.owner[bucket]!]).toBe(to);

    expect(await rowsIn(from, "owned_buckets", "bucket = ?", bucket)).toEqual([]);
    expect(await rowsIn(to, "owned_buckets", "bucket = ?", bucket)).toEqual([{ bucket, epoch: 2, state: "active" }]);
    const fromStats = await stubFor(env, from).stats();
    expect(fromStats.ok && fromStats.mapVersion).toBe(after.map.version);
    // A shard whose buckets did not change is not called at all.
    const untouchedStats = await stubFor(env, untouched).stats();
    expect(untouchedStats.ok && untouchedStats.mapVersion).toBe(before.map.version);
  });

  it("replayed or out-of-order ownership pushes change nothing", async () => {
    const map = await directory().getMap();
    if (!map.ok) throw new Error("no map");
    const shard = map.map.shards[0]!;
    const before = await rowsIn(shard, "owned_buckets");
    const stale = await stubFor(env, shard).syncOwnership({ shard, version: 1, buckets: [] });
    expect(stale).toEqual({ ok: true, applied: false });
    expect(await rowsIn(shard, "owned_buckets")).toEqual(before);
  });

  it("GET /admin/shards reports the map version and buckets per shard", async () => {
    const res = await admin("GET", "/shards");
    expect(res.status).toBe(200);
    const body = await json<{ version: number; bucket_count: number; shards: Array<{ name: string; buckets: number }> }>(res);
    expect(body.bucket_count).toBe(BUCKET_COUNT);
    expect(body.shards.reduce((n, s) => n + s.buckets, 0)).toBe(BUCKET_COUNT);
  });
});
