import { build } from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { evaluate, SEED_CRITERIA } from "../../load/report/criteria.ts";
import { ScenarioRecorder, summarize, type LatencySummary } from "../../load/report/stats.ts";

function recorded(latenciesMs: number[], failures = 0): ScenarioRecorder {
  const r = new ScenarioRecorder();
  latenciesMs.forEach((ms, i) => r.request({ step: "POST /token refresh_token", ms, ok: i >= failures, status: i >= failures ? 200 : 400, ...(i >= failures ? {} : { error: "invalid_grant" }) }, i));
  return r;
}

const summary = (over: Partial<LatencySummary>): LatencySummary => ({ count: 1000, errors: 0, errorRate: 0, p50: 10, p95: 20, p99: 30, max: 40, mean: 12, ...over });

describe("latency summary", () => {
  it("takes percentiles from hdr-histogram-js (1..1000 ms)", () => {
    const stats = recorded(Array.from({ length: 1000 }, (_, i) => i + 1)).stats();
    const reference = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
    for (let i = 1; i <= 1000; i++) reference.recordValue(i * 1000);
    expect(stats.overall.p50).toBe(Math.round(reference.getValueAtPercentile(50) / 10) / 100);
    expect(stats.overall.p95).toBe(Math.round(reference.getValueAtPercentile(95) / 10) / 100);
    expect(stats.overall.p99).toBe(Math.round(reference.getValueAtPercentile(99) / 10) / 100);
    // Within the histogram's 3 significant digits of the exact values.
    expect(stats.overall.p50).toBeCloseTo(500, -1);
    expect(stats.overall.p95).toBeCloseTo(950, -1);
    expect(stats.overall.p99).toBeCloseTo(990, -1);
    expect(stats.overall.max).toBeCloseTo(1000, -1);
  });

  it("counts error rate, statuses and OAuth codes", () => {
    const stats = recorded(Array.from({ length: 2000 }, () => 5), 3).stats();
    expect(stats.overall.count).toBe(2000);
    expect(stats.overall.errors).toBe(3);
    expect(stats.overall.errorRate).toBe(0.0015);
    expect(stats.errorsByStatus).toEqual({ "400": 3 });
    expect(stats.errorsByCode).toEqual({ invalid_grant: 3 });
    expect(stats.steps["POST /token refresh_token"]!.count).toBe(2000);
  });

  it("buckets the timeline per second of request start", () => {
    const r = new ScenarioRecorder();
    r.request({ step: "a", ms: 10, ok: true, status: 200 }, 100);
    r.request({ step: "a", ms: 20, ok: false, status: "network", error: "UND_ERR_SOCKET" }, 999);
    r.request({ step: "b", ms: 30, ok: true, status: 200 }, 1000);
    const { timeline, errorsByStatus } = r.stats();
    expect(timeline.map((p) => [p.t, p.count, p.errors])).toEqual([
      [0, 2, 1],
      [1, 1, 0],
    ]);
    expect(errorsByStatus).toEqual({ network: 1 });
  });

  it("reports an empty histogram as zero requests", () => {
    const empty = build();
    expect(summarize(empty, 0)).toMatchObject({ count: 0, errorRate: 0 });
  });
});

describe("pass/fail against the seed's criteria", () => {
  const held = { scheduled: 36_000, dropped: 0 };

  it("passes below every limit", () => {
    const v = evaluate(summary({ p95: 299.9, p99: 499.9, errors: 35, errorRate: 35 / 36_000 }), held);
    expect(v).toMatchObject({ seedPass: true, pass: true });
  });

  it("uses strict limits: p95 = 300 ms, p99 = 500 ms or 0.1 % errors fail", () => {
    expect(evaluate(summary({ p95: 300 }), held).seedPass).toBe(false);
    expect(evaluate(summary({ p99: 500 }), held).seedPass).toBe(false);
    expect(evaluate(summary({ errors: 36, errorRate: 0.001 }), held).seedPass).toBe(false);
    const failed = evaluate(summary({ p99: 612.5 }), held).checks.find((c) => !c.pass)!;
    expect(failed).toMatchObject({ name: "p99 latency", value: 612.5, limit: 500, unit: "ms" });
  });

  it("reports error rate in percent", () => {
    const check = evaluate(summary({ errors: 72, errorRate: 72 / 36_000 }), held).checks.find((c) => c.name === "error rate")!;
    expect(check).toMatchObject({ value: 0.2, limit: 0.1, pass: false });
  });

  it("keeps the seed's verdict apart from a schedule the generator could not hold", () => {
    const v = evaluate(summary({}), { scheduled: 36_000, dropped: 400 });
    expect(v.seedPass).toBe(true);
    expect(v.pass).toBe(false);
    expect(v.checks.find((c) => !c.seed)).toMatchObject({ name: "dropped starts", pass: false });
    expect(SEED_CRITERIA).toMatchObject({ p95Ms: 300, p99Ms: 500, maxErrorRate: 0.001 });
  });

  it("passes nothing when nothing was measured", () => {
    expect(evaluate(summary({ count: 0 }), { scheduled: 0, dropped: 0 }).seedPass).toBe(false);
  });
});
