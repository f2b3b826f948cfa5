// The report as written to JSON; the HTML page and load/CAPACITY.md are made from it.
import type { Profile } from "../generator.ts";
import type { Verdict } from "./criteria.ts";
import type { ScenarioStats } from "./stats.ts";

/** What GET /admin/metrics answers (src/router/metrics.ts), per request type. */
export interface MetricsType {
  requests: number;
  actorCalls: number;
  d1Queries: number;
  wallMs: number;
  /** Rows the shard's own SQLite read and wrote (only on the "(actor) UserShardActor" entry). */
  sqlRowsRead?: number;
  sqlRowsWritten?: number;
  /** Audit events and queue messages the shard sent; archive objects and bytes the consumer wrote. */
  auditEvents?: number;
  auditMessages?: number;
  r2Writes?: number;
  r2Bytes?: number;
  actorMethods: Record<string, number>;
  statuses: Record<string, number>;
  perRequest: { actorCalls: number; d1Queries: number; wallMs: number };
}

export interface ScenarioResult {
  name: string;
  title: string;
  profile: Profile;
  vus: number;
  prepareSeconds: number;
  schedule: { scheduled: number; started: number; dropped: number; late: number; lateMs: number; maxLagMs: number; unfinished: number; starved: number };
  /** Seconds from the first scheduled start to the last response. */
  elapsedSeconds: number;
  /** Completed iterations and requests per second over the whole profile (ramp included)... */
  achieved: { iterationsPerS: number; requestsPerS: number; holdRequestsPerS: number };
  stats: ScenarioStats;
  verdict: Verdict;
  /** Counted by the worker in metrics mode; null when the target has no /admin/metrics. */
  metrics: Record<string, MetricsType> | null;
  /** 1-minute load average of the host around the run: other work on the machine skews latencies. */
  hostLoad: { before: number; after: number; cpus: number };
  cpu: { providerMsPerRequest: number | null; providerCpuMs: number | null; providerUtilization: number | null; generatorMsPerRequest: number };
}

export interface SeedingReport {
  seconds: number;
  usersRequested: number;
  usersCreated: number;
  usersReused: number;
  sessionsCreated: number;
  sessionsReused: number;
  bucketsCovered: number;
  bucketsTotal: number;
  usersPerShard: Record<string, number>;
  /** Local shard databases' size per seeded user right after seeding (only for a provider with load/.state storage). */
  shardBytesPerUser: number | null;
}

export interface LoadReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  target: string;
  mode: "default" | "full" | "custom";
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  source: { commit: string | null; dirty: boolean };
  providerStarted: boolean;
  seeding: SeedingReport | null;
  scenarios: ScenarioResult[];
}
