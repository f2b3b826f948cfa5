// One scenario from preparation to result: prepare the VUs, reset the worker's
// counters, run the arrival schedule while sampling provider CPU, then read the
// counters back and judge the result against the seed's criteria.
import { availableParallelism, loadavg } from "node:os";
import { adminClient } from "../cli/lib/admin-client.ts";
import { profileSeconds, runArrivals, totalArrivals, type Profile } from "./generator.ts";
import type { Http } from "./http.ts";
import type { ClientConfig, Endpoints } from "./oidc.ts";
import { cpuMs } from "./proc.ts";
import { evaluate } from "./report/criteria.ts";
import { ScenarioRecorder } from "./report/stats.ts";
import type { MetricsType, ScenarioResult } from "./report/types.ts";
import type { Scenario, ScenarioContext, Vu } from "./scenarios/types.ts";

export interface RunSettings {
  http: Http;
  ep: Endpoints;
  client: ClientConfig;
  /** Operator access for /admin/metrics; null for targets without it. */
  admin: { base: string; token: string } | null;
  providerPids: number[];
  lateMs: number;
  /** Wait after the last response before reading the worker's counts. */
  settleMs: number;
  concurrency: number;
  renewSession: ((vu: Vu) => Promise<string>) | null;
  log: (line: string) => void;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function metricsCall(s: RunSettings, method: "GET" | "DELETE"): Promise<Record<string, MetricsType> | null> {
  if (!s.admin) return null;
  try {
    const res = await adminClient({ url: s.admin.base, token: s.admin.token }).request(method, "/admin/metrics");
    if (method === "DELETE" || res.status !== 200 || typeof res.body !== "object" || res.body === null) return null;
    return (res.body as { types: Record<string, MetricsType> }).types;
  } catch {
    return null;
  }
}

export async function runScenario(s: RunSettings, scenario: Scenario, vus: Vu[], profile: Profile): Promise<ScenarioResult> {
  const recorder = new ScenarioRecorder();
  const ctx: ScenarioContext = {
    http: s.http,
    ep: s.ep,
    client: s.client,
    recorder,
    t0: performance.now(),
    renewSession: s.renewSession,
    concurrency: s.concurrency,
    log: s.log,
    starved: 0,
  };
  const scheduled = totalArrivals(profile);
  s.log(`${scenario.title}: preparing ${vus.length} virtual users for ${scheduled} iterations`);
  const prepStarted = performance.now();
  await scenario.prepare(ctx, vus, scheduled);
  const prepareSeconds = round((performance.now() - prepStarted) / 1000, 1);

  s.log(`${scenario.title}: ${profile.rate}/s, ramp ${profile.rampS} s, hold ${profile.holdS} s, ramp-down ${profile.rampDownS} s`);
  // Let the audit events of the preparation reach D1 before the counters start.
  await new Promise((resolve) => setTimeout(resolve, s.settleMs));
  await metricsCall(s, "DELETE");
  const cpuBefore = cpuMs(s.providerPids);
  const genBefore = process.cpuUsage();
  const loadBefore = loadavg()[0]!;
  ctx.t0 = performance.now();
  const run = await runArrivals({ profile, vus, iterate: (vu) => scenario.iterate(ctx, vu), lateMs: s.lateMs });
  const cpuAfter = cpuMs(s.providerPids);
  const gen = process.cpuUsage(genBefore);
  // The shards flush their audit outbox to D1 from an alarm shortly after the writes: let it land in this scenario's counts.
  await new Promise((resolve) => setTimeout(resolve, s.settleMs));
  const metrics = await metricsCall(s, "GET");

  const stats = recorder.stats();
  const requests = stats.overall.count;
  const elapsedS = run.elapsedMs / 1000;
  const holdPoints = stats.timeline.filter((p) => p.t >= profile.rampS && p.t < profile.rampS + profile.holdS);
  const holdRequests = holdPoints.reduce((n, p) => n + p.count, 0);
  const completed = stats.iterations?.count ?? requests;
  const providerCpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  return {
    name: scenario.name,
    title: scenario.title,
    profile,
    vus: vus.length,
    prepareSeconds,
    schedule: {
      scheduled: run.scheduled,
      started: run.started,
      dropped: run.dropped,
      late: run.late,
      lateMs: s.lateMs,
      maxLagMs: round(run.maxLagMs),
      unfinished: run.unfinished,
      starved: ctx.starved,
    },
    elapsedSeconds: round(elapsedS),
    achieved: {
      iterationsPerS: round(completed / Math.max(profileSeconds(profile), 1e-9)),
      requestsPerS: round(requests / Math.max(profileSeconds(profile), 1e-9)),
      holdRequestsPerS: holdPoints.length ? round(holdRequests / holdPoints.length) : 0,
    },
    stats,
    verdict: evaluate(stats.overall, { scheduled: run.scheduled, dropped: run.dropped + ctx.starved }),
    metrics,
    hostLoad: { before: round(loadBefore), after: round(loadavg()[0]!), cpus: availableParallelism() },
    cpu: {
      providerCpuMs: providerCpu,
      providerMsPerRequest: providerCpu !== null && requests > 0 ? round(providerCpu / requests, 3) : null,
      providerUtilization: providerCpu !== null ? round(providerCpu / run.elapsedMs, 3) : null,
      generatorMsPerRequest: requests > 0 ? round((gen.user + gen.system) / 1000 / requests, 3) : 0,
    },
  };
}
