import { describe, it, expect } from "vitest";
import { BUCKET_COUNT, MAX_SHARDS, bucketCounts, bucketsOf, initialMap, shardName, shardOf, type ShardMap } from "../../src/shard";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Bucket counts per shard index, counted here rather than with bucketCounts. */
function countOwners(map: ShardMap): number[] {
  const counts = new Array<number>(map.shards.length).fill(0);
  for (const o of map.owner) counts[o] = counts[o]! + 1;
  return counts;
}

/** A map built by hand from an owner array. */
function mapOf(owner: number[], shardCount: number, version = 7): ShardMap {
  return { version, shards: range(shardCount).map(shardName), owner };
}

describe("initialMap", () => {
  for (const n of [1, 2, 3, 4, 7, 64, 1000, 4095, MAX_SHARDS]) {
    it(`deals 4096 buckets round-robin over ${n} shard(s)`, () => {
      const map = initialMap(n);
      expect(map.version).toBe(1);
      expect(map.shards).toEqual(range(n).map((i) => `shard-${i}`));
      expect(map.owner).toHaveLength(BUCKET_COUNT);
      expect(map.owner).toEqual(range(BUCKET_COUNT).map((b) => b % n));
      const counts = bucketCounts(map);
      expect(counts).toEqual(countOwners(map));
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      for (const c of counts) expect(Math.abs(c - BUCKET_COUNT / n)).toBeLessThan(1);
    });
  }

  it("throws TypeError for a bad shard count", () => {
    for (const bad of [0, -1, 1.5, 4097, Number.NaN, Infinity, "2" as unknown as number]) {
      expect(() => initialMap(bad)).toThrow(TypeError);
    }
    expect(MAX_SHARDS).toBe(4096);
  });
});

describe("shardOf / bucketCounts / bucketsOf", () => {
  const map = initialMap(4);

  it("shardOf names the owner of a bucket", () => {
    expect(shardOf(map, 0)).toBe("shard-0");
    expect(shardOf(map, 5)).toBe("shard-1");
    expect(shardOf(map, 4095)).toBe("shard-3");
    expect(shardOf(mapOf(range(BUCKET_COUNT).map((b) => (b < 10 ? 1 : 0)), 2), 9)).toBe("shard-1");
  });

  it("shardOf throws TypeError for a bad bucket or an ownerless one", () => {
    for (const bad of [-1, 4096, 1.5, Number.NaN, Infinity, "3" as unknown as number]) {
      expect(() => shardOf(map, bad)).toThrow(TypeError);
    }
    const dangling: ShardMap = { version: 1, shards: ["shard-0"], owner: [0, 5] };
    expect(() => shardOf(dangling, 1)).toThrow(TypeError);
    expect(() => shardOf(dangling, 2)).toThrow(TypeError);
  });

  it("bucketCounts counts per shard, including shards that own nothing", () => {
    expect(bucketCounts(map)).toEqual([1024, 1024, 1024, 1024]);
    expect(bucketCounts(mapOf(new Array(BUCKET_COUNT).fill(2), 4))).toEqual([0, 0, 4096, 0]);
    expect(bucketCounts(initialMap(3))).toEqual([1366, 1365, 1365]);
  });

  it("bucketsOf lists a shard's buckets in ascending order", () => {
    const b1 = bucketsOf(map, "shard-1");
    expect(b1).toHaveLength(1024);
    expect(b1.slice(0, 4)).toEqual([1, 5, 9, 13]);
    expect(b1.at(-1)).toBe(4093);
    expect(b1.every((b) => b % 4 === 1)).toBe(true);
    expect(bucketsOf(map, "shard-9")).toEqual([]);
    expect(bucketsOf(map, "")).toEqual([]);
    const all = map.shards.flatMap((s) => bucketsOf(map, s)).sort((a, b) => a - b);
    expect(all).toEqual(range(BUCKET_COUNT));
  });
});
