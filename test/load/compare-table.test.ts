import { describe, expect, it } from "vitest";
import type { Measured } from "../../load/compare/drive.ts";
import { median, summarizeRounds, type RoundResult } from "../../load/compare/table.ts";

const measured = (reqPerS: number, p99: number, cpu: number | null): Measured => ({
  requests: reqPerS * 10,
  errors: 0,
  seconds: 10,
  reqPerS,
  latency: { count: reqPerS * 10, errors: 0, errorRate: 0, p50: 1, p95: p99 / 2, p99, max: p99, mean: 1 },
  cpuMsPerRequest: cpu,
  starved: 0,
});

const result = (round: number, target: "authshard" | "ceiling", reqPerS: number, p99: number, cpu: number): RoundResult => ({
  round,
  scenario: "refresh",
  target,
  closed: measured(reqPerS, p99, cpu),
  fixed: measured(200, p99, cpu),
});

describe("the side-by-side table", () => {
  it("takes medians, even and odd", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("states ratios as authshard over ceiling, and pairs rounds", () => {
    // Round 2 ran on a busier machine: both sides slower, the paired ratio unchanged.
    const { rows, ratios } = summarizeRounds([
      result(1, "authshard", 400, 30, 2),
      result(1, "ceiling", 500, 20, 1.6),
      result(2, "authshard", 200, 60, 2),
      result(2, "ceiling", 250, 40, 1.6),
      result(3, "authshard", 410, 30, 2),
      result(3, "ceiling", 510, 20, 1.6),
    ]);
    expect(rows.map((r) => [r.target, r.reqPerS])).toEqual([
      ["authshard", [400, 200, 410]],
      ["ceiling", [500, 250, 510]],
    ]);
    expect(ratios).toEqual([{ scenario: "refresh", throughput: 0.8, perRound: [0.8, 0.8, 0.8], perRoundMedian: 0.8, p99: 1.5, cpu: 1.25 }]);
  });
});
