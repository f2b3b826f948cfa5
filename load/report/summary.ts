// The plain-text summary printed at the end of a run (also used for the README
// and the capacity note): one row per scenario and step, then the worker's counts.
import type { LoadReport, ScenarioResult } from "./types.ts";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Requests the worker counted in the scenario (the denominator for the shard's own counts, kept in the same counters). */
export function workerRequests(s: ScenarioResult): number {
  return Object.entries(s.metrics ?? {})
    .filter(([type]) => !type.includes(" /admin/") && !type.startsWith("("))
    .reduce((n, [, m]) => n + m.requests, 0);
}

const pct = (f: number) => `${(f * 100).toFixed(3)}%`;
const ms = (n: number) => n.toFixed(1);

function scenarioRows(s: ScenarioResult): string[][] {
  const o = s.stats.overall;
  const rows = [
    [
      `${s.name} (all requests)`,
      `${s.profile.rate}/${s.achieved.holdRequestsPerS}`,
      String(o.count),
      ms(o.p50),
      ms(o.p95),
      ms(o.p99),
      ms(o.max),
      pct(o.errorRate),
      `${s.schedule.dropped + s.schedule.starved}/${s.schedule.late}`,
      s.verdict.seedPass ? (s.verdict.pass ? "PASS" : "PASS*") : "FAIL",
    ],
  ];
  const steps = Object.entries(s.stats.steps);
  if (steps.length > 1) {
    for (const [name, st] of steps) rows.push([`  ${name}`, "", String(st.count), ms(st.p50), ms(st.p95), ms(st.p99), ms(st.max), pct(st.errorRate), "", ""]);
    const it = s.stats.iterations;
    if (it) rows.push(["  whole iteration", "", String(it.count), ms(it.p50), ms(it.p95), ms(it.p99), ms(it.max), pct(it.errorRate), "", ""]);
  }
  return rows;
}

export function resultsTable(report: LoadReport): string {
  return table(
    ["scenario", "rate/s target/held", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "dropped/late", "seed criteria"],
    report.scenarios.flatMap(scenarioRows),
  );
}

export function callsTable(report: LoadReport): string {
  const rows: string[][] = [];
  for (const s of report.scenarios) {
    // The suite's own operator calls (/admin/metrics) are not load.
    for (const [type, m] of Object.entries(s.metrics ?? {}).filter(([t]) => !t.includes(" /admin/"))) {
      const methods = Object.entries(m.actorMethods)
        .map(([k, v]) => `${k}×${(m.requests ? v / m.requests : v).toFixed(2)}`)
        .join(", ");
      const served = workerRequests(s) || 1;
      const own = type.startsWith("(consumer)")
        ? `${m.requests} batches: ${m.auditEvents ?? 0} events in, ${m.d1Queries} D1 statements, ${m.r2Writes ?? 0} archive objects, ${(((m.r2Bytes ?? 0) / Math.max(1, m.auditEvents ?? 0)) || 0).toFixed(0)} archive bytes per event`
        : `per request the worker counted: ${(m.d1Queries / served).toFixed(2)} D1 statements, ${((m.auditEvents ?? 0) / served).toFixed(2)} audit events in ${((m.auditMessages ?? 0) / served).toFixed(3)} queue messages, SQLite rows read ${((m.sqlRowsRead ?? 0) / served).toFixed(1)} / written ${((m.sqlRowsWritten ?? 0) / served).toFixed(1)}`;
      rows.push([s.name, type, String(m.requests), m.perRequest.actorCalls.toFixed(2), m.perRequest.d1Queries.toFixed(2), methods || (m.requests && !type.startsWith("(") ? "-" : own)]);
    }
  }
  return rows.length ? table(["scenario", "request type", "requests", "actor calls/req", "D1 queries/req", "actor methods per request"], rows) : "(no worker counts: the target has no /admin/metrics)";
}

export function cpuTable(report: LoadReport): string {
  return table(
    ["scenario", "provider CPU ms/request", "provider CPU use", "generator CPU ms/request", "host load avg before/after"],
    report.scenarios.map((s) => [
      s.name,
      s.cpu.providerMsPerRequest === null ? "n/a" : s.cpu.providerMsPerRequest.toFixed(2),
      s.cpu.providerUtilization === null ? "n/a" : `${(s.cpu.providerUtilization * 100).toFixed(0)}% of a core`,
      s.cpu.generatorMsPerRequest.toFixed(2),
      s.hostLoad ? `${s.hostLoad.before}/${s.hostLoad.after} (${s.hostLoad.cpus} cpus)` : "n/a",
    ]),
  );
}

export function summaryText(report: LoadReport): string {
  const seeding = report.seeding
    ? `Seeding: ${report.seeding.seconds.toFixed(1)} s (users: ${report.seeding.usersCreated} created, ${report.seeding.usersReused} reused; ` +
      `sessions: ${report.seeding.sessionsCreated} signed in, ${report.seeding.sessionsReused} reused; ` +
      `buckets covered ${report.seeding.bucketsCovered}/${report.seeding.bucketsTotal}; per shard ${JSON.stringify(report.seeding.usersPerShard)})`
    : "Seeding: skipped (VU state supplied)";
  const prep = report.scenarios.map((s) => `${s.name} ${s.prepareSeconds} s`).join(", ");
  return [
    seeding,
    `Preparation (not timed): ${prep}`,
    "",
    resultsTable(report),
    "",
    "PASS* = the seed's criteria held but the generator dropped starts. dropped = starts with every VU busy or no prepared state left.",
    "",
    callsTable(report),
    "",
    cpuTable(report),
  ].join("\n");
}
