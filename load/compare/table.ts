// The side-by-side result: medians over rounds per scenario and target, and the ratios
// authshard/ceiling that the targets are stated in (throughput: higher is better for
// authshard; latency and CPU: lower is better).
import type { Measured } from "./drive.ts";
import type { ScenarioName } from "./lanes.ts";

export interface RoundResult {
  round: number;
  scenario: ScenarioName;
  target: "authshard" | "ceiling";
  closed: Measured;
  fixed: Measured;
}

export interface Row {
  scenario: ScenarioName;
  target: "authshard" | "ceiling";
  reqPerS: number[];
  p50: number;
  p95: number;
  p99: number;
  cpuMsPerRequest: number | null;
  errors: number;
}

export interface Ratio {
  scenario: ScenarioName;
  throughput: number;
  /** authshard/ceiling req/s of each round (the two measured back to back), and their median. */
  perRound: number[];
  perRoundMedian: number;
  p99: number;
  cpu: number | null;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function summarizeRounds(results: readonly RoundResult[]): { rows: Row[]; ratios: Ratio[] } {
  const rows: Row[] = [];
  const ratios: Ratio[] = [];
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const byTarget = (target: Row["target"]) => results.filter((r) => r.scenario === scenario && r.target === target);
    const row = (target: Row["target"]): Row => {
      const mine = byTarget(target);
      const cpu = mine.map((r) => r.closed.cpuMsPerRequest).filter((c): c is number => c !== null);
      return {
        scenario,
        target,
        reqPerS: mine.map((r) => r.closed.reqPerS),
        // An even number of rounds averages the middle two: shown to 0.01 ms like the rest.
        p50: round2(median(mine.map((r) => r.fixed.latency.p50))),
        p95: round2(median(mine.map((r) => r.fixed.latency.p95))),
        p99: round2(median(mine.map((r) => r.fixed.latency.p99))),
        cpuMsPerRequest: cpu.length ? round2(median(cpu)) : null,
        errors: mine.reduce((n, r) => n + r.closed.errors + r.fixed.errors, 0),
      };
    };
    const a = row("authshard");
    const c = row("ceiling");
    rows.push(a, c);
    // Paired per round: both targets measured back to back, so a busier moment of the machine
    // weighs on both sides of the ratio rather than on whichever medians it happened to hit.
    const perRound = byTarget("authshard").map((r) => {
      const other = results.find((x) => x.scenario === scenario && x.target === "ceiling" && x.round === r.round);
      return other ? round2(r.closed.reqPerS / other.closed.reqPerS) : Number.NaN;
    });
    ratios.push({
      scenario,
      throughput: round2(median(a.reqPerS) / median(c.reqPerS)),
      perRound,
      perRoundMedian: round2(median(perRound)),
      p99: round2(a.p99 / c.p99),
      cpu: a.cpuMsPerRequest !== null && c.cpuMsPerRequest !== null ? round2(a.cpuMsPerRequest / c.cpuMsPerRequest) : null,
    });
  }
  return { rows, ratios };
}

export function markdown(rows: readonly Row[], ratios: readonly Ratio[], rate: number): string {
  const lines = [
    `| scenario | target | closed loop req/s (each round) | median | p50 / p95 / p99 ms at ${rate}/s | CPU ms/request | errors |`,
    "|---|---|---|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.target} | ${r.reqPerS.join(" / ")} | ${round2(median(r.reqPerS))} | ${r.p50} / ${r.p95} / ${r.p99} | ${r.cpuMsPerRequest ?? "n/a"} | ${r.errors} |`,
    );
  }
  lines.push(
    "",
    "| scenario | authshard/ceiling req/s (medians) | per round (median) | p99 at fixed rate | CPU per request |",
    "|---|---:|---:|---:|---:|",
  );
  for (const q of ratios) {
    lines.push(`| ${q.scenario} | ${q.throughput}× | ${q.perRound.join(" / ")} (${q.perRoundMedian}×) | ${q.p99}× | ${q.cpu === null ? "n/a" : `${q.cpu}×`} |`);
  }
  return lines.join("\n");
}
