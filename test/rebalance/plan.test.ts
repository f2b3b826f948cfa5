import { describe, expect, it } from "vitest";
import { BUCKET_COUNT } from "../../src/shard/bucket";
import { bucketCounts, initialMap, type ShardMap } from "../../src/shard/map";
import { planRebalance } from "../../src/shard/plan";
import { LOAD_TOLERANCE, planByLoad } from "../../src/shard/plan-load";

const spread = (plan: { loadAfter: Readonly<Record<string, number>> }, n: number) => {
  const loads = Object.values(plan.loadAfter).slice(0, n);
  return { max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / n };
};

/** A map after applying a plan's moves. */
function apply(map: ShardMap, plan: { shards: readonly string[]; moves: ReadonlyArray<{ bucket: number; to: string }> }): ShardMap {
  const owner = [...map.owner];
  for (const m of plan.moves) owner[m.bucket] = plan.shards.indexOf(m.to);
  return { version: map.version + 1, shards: [...plan.shards], owner };
}

describe("plan --by buckets (the default)", () => {
  it("2 → 4 shards: every move goes to a new shard, and exactly half the buckets move", () => {
    const plan = planRebalance(initialMap(2), 4);
    expect(plan.moves).toHaveLength(BUCKET_COUNT / 2);
    expect(new Set(plan.moves.map((m) => m.to))).toEqual(new Set(["shard-2", "shard-3"]));
    expect(bucketCounts(apply(initialMap(2), plan))).toEqual([1024, 1024, 1024, 1024]);
    expect(planRebalance(initialMap(2), 4)).toEqual(plan);
  });
});

describe("plan --by load", () => {
  it("with no traffic it evens out bucket counts", () => {
    const plan = planByLoad(initialMap(2), 4, new Map());
    const counts = bucketCounts(apply(initialMap(2), plan));
    expect(Math.max(...counts) / (BUCKET_COUNT / 4)).toBeLessThanOrEqual(1 + LOAD_TOLERANCE);
    expect(plan.moves.every((m) => m.to === "shard-2" || m.to === "shard-3")).toBe(true);
  });

  it("moves load off a hot shard, hot buckets included, until it is within tolerance of the mean", () => {
    const map = initialMap(4);
    // Every bucket serves 20 requests; shard 0 (buckets ≡ 0 mod 4) also has ten hot ones.
    const load = new Map(Array.from({ length: BUCKET_COUNT }, (_, b) => [b, 20] as [number, number]));
    for (let i = 0; i < 10; i++) load.set(i * 4, 2_000);
    const plan = planByLoad(map, 4, load);
    expect(plan.loadBefore["shard-0"]).toBe(1024 * 21 + 10 * 1_980);
    const { max, mean } = spread(plan, 4);
    expect(max).toBeLessThanOrEqual(mean * (1 + LOAD_TOLERANCE));
    expect(plan.loadAfter["shard-0"]).toBeLessThanOrEqual(mean * (1 + LOAD_TOLERANCE));
    expect(plan.moves.filter((m) => load.has(m.bucket)).length).toBeGreaterThan(0);
    // Few moves: the hot buckets carry most of the load that has to go.
    expect(plan.moves.length).toBeLessThan(60);
    expect(new Set(plan.moves.map((m) => m.bucket)).size).toBe(plan.moves.length);
  });

  it("is deterministic and does nothing when the load is already even", () => {
    const map = initialMap(4);
    const load = new Map(Array.from({ length: BUCKET_COUNT }, (_, b) => [b, 10 + (b % 3)] as [number, number]));
    expect(planByLoad(map, 4, load)).toEqual(planByLoad(map, 4, load));
    expect(planByLoad(map, 4, load).moves).toEqual([]);
  });

  it("empties shards beyond the target count", () => {
    const plan = planByLoad(initialMap(5), 4, new Map([[4, 900]]));
    const after = apply(initialMap(5), plan);
    expect(bucketCounts(after)[4]).toBe(0);
    expect(plan.moves.filter((m) => m.from === "shard-4")).toHaveLength(bucketCounts(initialMap(5))[4]!);
  });

  it("rejects a nonsense shard count with TypeError", () => {
    expect(() => planByLoad(initialMap(2), 0, new Map())).toThrow(TypeError);
  });
});
