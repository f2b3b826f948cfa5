// Pass/fail against the seed's success criteria (load-test-requirements.ja.md,
// 成功基準): p95 < 300 ms, p99 < 500 ms, error rate < 0.1 % (success > 99.9 %).
// One more check is ours: the generator must have held the schedule, or the
// latencies describe a lighter load than the one asked for.
import type { LatencySummary } from "./stats.ts";

export interface Criteria {
  p95Ms: number;
  p99Ms: number;
  /** Fraction, 0.001 = 0.1 %. */
  maxErrorRate: number;
  /** Fraction of scheduled starts that may be dropped. */
  maxDroppedRate: number;
}

export const SEED_CRITERIA: Criteria = { p95Ms: 300, p99Ms: 500, maxErrorRate: 0.001, maxDroppedRate: 0.001 };

export interface Check {
  name: string;
  value: number;
  limit: number;
  unit: "ms" | "%";
  pass: boolean;
  /** False for checks that are not the seed's own. */
  seed: boolean;
}

export interface Verdict {
  checks: Check[];
  /** The seed's criteria held. */
  seedPass: boolean;
  /** The seed's criteria held and the schedule was kept. */
  pass: boolean;
}

export interface ScheduleCounts {
  scheduled: number;
  dropped: number;
}

const pct = (fraction: number) => Math.round(fraction * 1e6) / 1e4;

/** Strict comparisons, as the seed writes them (<); a run without requests passes nothing. */
export function evaluate(overall: LatencySummary, schedule: ScheduleCounts, c: Criteria = SEED_CRITERIA): Verdict {
  const measured = overall.count > 0;
  const droppedRate = schedule.scheduled === 0 ? 1 : schedule.dropped / schedule.scheduled;
  const checks: Check[] = [
    { name: "p95 latency", value: overall.p95, limit: c.p95Ms, unit: "ms", pass: measured && overall.p95 < c.p95Ms, seed: true },
    { name: "p99 latency", value: overall.p99, limit: c.p99Ms, unit: "ms", pass: measured && overall.p99 < c.p99Ms, seed: true },
    {
      name: "error rate",
      value: pct(overall.errorRate),
      limit: pct(c.maxErrorRate),
      unit: "%",
      pass: measured && overall.errorRate < c.maxErrorRate,
      seed: true,
    },
    {
      name: "dropped starts",
      value: pct(droppedRate),
      limit: pct(c.maxDroppedRate),
      unit: "%",
      pass: droppedRate < c.maxDroppedRate,
      seed: false,
    },
  ];
  const seedPass = checks.filter((k) => k.seed).every((k) => k.pass);
  return { checks, seedPass, pass: checks.every((k) => k.pass) };
}
