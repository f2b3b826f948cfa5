import { describe, it, expect } from "vitest";
import { BUCKET_COUNT, applyPlan, bucketCounts, initialMap } from "../../src/shard";
import { planRebalance, shardName, shardOf, type RebalancePlan, type ShardMap } from "../../src/shard";
import { LOAD_TOLERANCE, planByLoad } from "../../src/shard/plan-load";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Bucket counts per shard index, counted here rather than with bucketCounts. */
function countOwners(map: ShardMap, shardTotal = map.shards.length): number[] {
  const counts = new Array<number>(Math.max(shardTotal, map.shards.length)).fill(0);
  for (const o of map.owner) counts[o] = counts[o]! + 1;
  return counts;
}

/**
 * The fewest moves any plan can make. A final layout with the first n shards within
 * one of each other and summing to 4096 gives each of them ⌊4096/n⌋ or one more,
 * with exactly 4096 % n of them getting the +1; shards beyond n get 0. Each shard
 * must give away at least max(0, current - quota) buckets, and a +1 quota only
 * saves a move when handed to a shard holding more than ⌊4096/n⌋, so the best
 * assignment hands the extras to the shards holding the most.
 */
function minimalMoves(counts: readonly number[], n: number): number {
  const base = Math.floor(BUCKET_COUNT / n);
  const extra = BUCKET_COUNT % n;
  const quota = counts.map((_, i) => (i < n ? base : 0));
  const richest = range(n).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0));
  for (const i of richest.slice(0, extra)) quota[i] = base + 1;
  const bound = counts.reduce((sum, c, i) => sum + Math.max(0, c - quota[i]!), 0);
  // Closed form of the same quantity, as a cross-check of the reasoning above.
  const over = range(n).filter((i) => (counts[i] ?? 0) > base).length;
  const closed =
    counts.reduce((sum, c, i) => sum + (i < n ? Math.max(0, c - base) : c), 0) - Math.min(extra, over);
  expect(closed).toBe(bound);
  return bound;
}

/** Plans, applies and checks every invariant; returns the plan and the new map. */
function checkPlan(map: ShardMap, n: number): { plan: RebalancePlan; next: ShardMap } {
  const before = countOwners(map);
  const plan = planRebalance(map, n);
  // (c) deterministic
  expect(planRebalance(map, n)).toEqual(plan);

  expect(plan.shards.slice(0, map.shards.length)).toEqual(map.shards);
  expect(plan.shards.length).toBe(Math.max(n, map.shards.length));
  expect(new Set(plan.shards).size).toBe(plan.shards.length);

  // (d) every move starts at the current owner, no bucket twice, never to itself
  // (collected, then asserted once, so a failure names the offending moves)
  const seen = new Set<number>();
  const givers = new Set(plan.moves.map((m) => m.from));
  const bad = plan.moves.filter((move) => {
    const to = plan.shards.indexOf(move.to);
    const ok =
      move.from === shardOf(map, move.bucket) &&
      move.to !== move.from &&
      to >= 0 &&
      to < n &&
      !seen.has(move.bucket) &&
      !givers.has(move.to); // no shard both gives and receives: that would waste a move
    seen.add(move.bucket);
    return !ok;
  });
  expect(bad).toEqual([]);
  // listed in ascending bucket order (strictly: which also rules out repeats)
  expect(plan.moves.every((m, i) => i === 0 || plan.moves[i - 1]!.bucket < m.bucket)).toBe(true);

  // (a) balanced among the first n, empty beyond
  const next = applyPlan(map, plan);
  const after = countOwners(next, plan.shards.length);
  const active = after.slice(0, n);
  expect(Math.max(...active) - Math.min(...active)).toBeLessThanOrEqual(1);
  for (const c of active) expect(Math.abs(c - BUCKET_COUNT / n)).toBeLessThan(1);
  expect(after.slice(n).every((c) => c === 0)).toBe(true);
  expect(after.reduce((a, b) => a + b, 0)).toBe(BUCKET_COUNT);
  expect(plan.shards.map((s) => plan.targets[s])).toEqual(after);

  // (b) minimal: equal to the exact bound, and at least the simple ceil bound
  const ceil = Math.ceil(BUCKET_COUNT / n);
  const simple = before.reduce((s, c, i) => s + Math.max(0, c - (i < n ? ceil : 0)), 0);
  expect(plan.moves.length).toBe(minimalMoves(before, n));
  expect(plan.moves.length).toBeGreaterThanOrEqual(simple);

  // (g) the result needs no further moves
  expect(planRebalance(next, n).moves).toEqual([]);
  expect(next.version).toBe(map.version + 1);
  return { plan, next };
}

/** A map built by hand from an owner array. */
function mapOf(owner: number[], shardCount: number, version = 7): ShardMap {
  return { version, shards: range(shardCount).map(shardName), owner };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("planRebalance", () => {
  const cases: Array<[number, number]> = [
    [1, 2], [4, 5], [4, 8], [4, 64], [3, 7], // growth
    [8, 4], [5, 3], [64, 5], [2, 1], // shrink
    [1, 1], [4, 4], [7, 7], [4096, 4096], // same size
    [1, 4096], [4096, 1], [7, 3000],
  ];
  for (const [from, to] of cases) {
    it(`rebalances ${from} → ${to} shards minimally`, () => {
      checkPlan(initialMap(from), to);
    });
  }

  it("moves nothing when the map is already balanced", () => {
    for (const n of [1, 2, 3, 4, 5, 7, 64, 4096]) {
      const plan = planRebalance(initialMap(n), n);
      expect(plan.moves).toEqual([]);
      expect(plan.shards).toEqual(initialMap(n).shards);
    }
    // Balanced but not round-robin: contiguous ranges, 1366/1365/1365.
    const contiguous = mapOf(range(BUCKET_COUNT).map((b) => (b < 1366 ? 0 : b < 2731 ? 1 : 2)), 3);
    expect(planRebalance(contiguous, 3).moves).toEqual([]);
  });

  it("follows the documented tie-breaks: donors give their highest buckets, receivers fill in index order", () => {
    const { plan } = checkPlan(initialMap(1), 2);
    expect(plan.moves).toEqual(range(2048).map((i) => ({ bucket: 2048 + i, from: "shard-0", to: "shard-1" })));

    const grow = checkPlan(initialMap(4), 8).plan;
    expect(grow.moves.map((m) => m.bucket)).toEqual(range(2048).map((i) => 2048 + i));
    expect(grow.moves.filter((m) => m.to === "shard-4").map((m) => m.bucket)).toEqual(range(512).map((i) => 2048 + i));
    expect(grow.targets).toEqual(Object.fromEntries(range(8).map((i) => [`shard-${i}`, 512])));

    // Equal holders: the +1 goes to the lowest index.
    expect(planRebalance(initialMap(4), 3).targets).toEqual({ "shard-0": 1366, "shard-1": 1365, "shard-2": 1365, "shard-3": 0 });
    expect(planRebalance(initialMap(2), 3).targets).toEqual({ "shard-0": 1366, "shard-1": 1365, "shard-2": 1365 });
  });

  it("fixes a hand-built skewed map (shard-0 owns 3000) with the fewest moves", () => {
    // shard-0 owns 0..2999; shards 1..3 share 3000..4095 round-robin (366, 365, 365).
    const skewed = mapOf(range(BUCKET_COUNT).map((b) => (b < 3000 ? 0 : 1 + ((b - 3000) % 3))), 4);
    expect(countOwners(skewed)).toEqual([3000, 366, 365, 365]);

    const four = checkPlan(skewed, 4).plan;
    expect(four.moves).toHaveLength(3000 - 1024);
    expect(four.moves.every((m) => m.from === "shard-0")).toBe(true);
    expect(four.moves.map((m) => m.bucket)).toEqual(range(1976).map((i) => 1024 + i));

    // Three shards: 1366/1365/1365. The +1 must go to shard-0 (the richest): that saves
    // one move; giving it to anyone else would cost 2000 instead of 1999.
    const three = checkPlan(skewed, 3).plan;
    expect(three.targets).toEqual({ "shard-0": 1366, "shard-1": 1365, "shard-2": 1365, "shard-3": 0 });
    expect(three.moves).toHaveLength(3000 - 1366 + 365);

    expect(checkPlan(skewed, 2).plan.moves).toHaveLength(3000 - 2048 + 365 + 365);
    expect(checkPlan(skewed, 6).plan.moves).toHaveLength(3000 - 683);
  });

  it("gives the +1 extras to the shards holding the most, even when they are not first", () => {
    // counts 1000, 1100, 996, 1000 → 3 shards (base 1365, extra 1): nobody is over base,
    // so the extra saves nothing and only shard-3's 1000 buckets move.
    const owner = range(BUCKET_COUNT).map((b) => (b < 1000 ? 0 : b < 2100 ? 1 : b < 3096 ? 2 : 3));
    expect(checkPlan(mapOf(owner, 4), 3).plan.moves).toHaveLength(1000);
    // counts 1000, 1500, 1596 → 3 shards: base 1365, extra 1, two shards over base.
    const owner2 = range(BUCKET_COUNT).map((b) => (b < 1000 ? 0 : b < 2500 ? 1 : 2));
    const plan = checkPlan(mapOf(owner2, 3), 3).plan;
    expect(plan.targets).toEqual({ "shard-0": 1365, "shard-1": 1365, "shard-2": 1366 });
    expect(plan.moves).toHaveLength(135 + 230);
  });

  it("stays minimal on random maps", () => {
    const rand = mulberry32(0x5eed);
    for (let trial = 0; trial < 150; trial++) {
      const shards = 1 + Math.floor(rand() * 12);
      // skewed weights so that some shards are rich and some poor
      const weights = range(shards).map(() => rand() ** 3 + 0.01);
      const total = weights.reduce((a, b) => a + b, 0);
      const owner = range(BUCKET_COUNT).map(() => {
        let r = rand() * total;
        let i = 0;
        while (i < shards - 1 && (r -= weights[i]!) > 0) i++;
        return i;
      });
      const target = 1 + Math.floor(rand() * 16);
      checkPlan(mapOf(owner, shards), target);
    }
  });

  it("survives a chain of resizes, reusing existing shard names", () => {
    let map = initialMap(4);
    for (const n of [8, 3, 10, 6, 1, 13, 13]) map = checkPlan(map, n).next;
    expect(map.version).toBe(1 + 7);
    expect(map.shards).toEqual(range(13).map(shardName));

    const shrunk = checkPlan(initialMap(8), 4).next;
    expect(shrunk.shards).toHaveLength(8);
    const regrown = checkPlan(shrunk, 6);
    expect(regrown.plan.shards).toEqual(range(8).map(shardName));
    expect(new Set(regrown.plan.moves.map((m) => m.to))).toEqual(new Set(["shard-4", "shard-5"]));
  });

  it("never reuses an existing name for an added shard", () => {
    const map: ShardMap = { version: 3, shards: ["shard-0", "shard-2"], owner: range(BUCKET_COUNT).map((b) => b % 2) };
    const { plan } = checkPlan(map, 4);
    expect(plan.shards).toEqual(["shard-0", "shard-2", "shard-3", "shard-4"]);
  });

  it("does not mutate its input; applyPlan bumps the version once", () => {
    const map = initialMap(5);
    const frozen: ShardMap = Object.freeze({ ...map, shards: Object.freeze([...map.shards]), owner: Object.freeze([...map.owner]) });
    const plan = planRebalance(frozen, 9);
    const next = applyPlan(frozen, plan);
    expect(frozen).toEqual(map);
    expect(next.version).toBe(2);
    expect(next.shards).toEqual(plan.shards);
    expect(next.shards).not.toBe(plan.shards);
  });

  it("2 → 4 shards: every move goes to a new shard, and exactly half the buckets move", () => {
    const plan = planRebalance(initialMap(2), 4);
    expect(plan.moves).toHaveLength(BUCKET_COUNT / 2);
    expect(new Set(plan.moves.map((m) => m.to))).toEqual(new Set(["shard-2", "shard-3"]));
    expect(bucketCounts(applyPlan(initialMap(2), plan))).toEqual([1024, 1024, 1024, 1024]);
    expect(planRebalance(initialMap(2), 4)).toEqual(plan);
  });

  it("throws TypeError for a bad targetShardCount", () => {
    const map = initialMap(4);
    for (const bad of [0, -1, 1.5, 4097, Number.NaN, Infinity, -Infinity, "4" as unknown as number]) {
      expect(() => planRebalance(map, bad)).toThrow(TypeError);
    }
  });
});

/** The busiest of the first `n` shards after a load plan, and their mean. */
const spread = (plan: { loadAfter: Readonly<Record<string, number>> }, n: number) => {
  const loads = Object.values(plan.loadAfter).slice(0, n);
  return { max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / n };
};

describe("planByLoad (plan --by load)", () => {
  it("with no traffic it evens out bucket counts", () => {
    const plan = planByLoad(initialMap(2), 4, new Map());
    const counts = bucketCounts(applyPlan(initialMap(2), plan));
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
    const after = applyPlan(initialMap(5), plan);
    expect(bucketCounts(after)[4]).toBe(0);
    expect(plan.moves.filter((m) => m.from === "shard-4")).toHaveLength(bucketCounts(initialMap(5))[4]!);
  });

  it("rejects a nonsense shard count with TypeError", () => {
    expect(() => planByLoad(initialMap(2), 0, new Map())).toThrow(TypeError);
  });
});
