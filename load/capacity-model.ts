// The capacity and cost model behind load/CAPACITY.md: measured calls per request
// type (from a load report) times the seed's 10M-MAU traffic, priced at
// Cloudflare's published Workers Paid rates. Every input that is an assumption
// rather than a measurement is named here, with where it comes from.
import { workerRequests } from "./report/summary.ts";
import type { LoadReport } from "./report/types.ts";

/** Seed storage-usage-10m-mau.ja.md §5: Workers and DO rows of the monthly cost table. */
export const MONTHLY_REQUESTS = 1_000_000_000;
const SECONDS_PER_MONTH = 30 * 86_400;
/** Seed load-test-requirements.ja.md: "300 RPS は MAU 150 万相当のピーク負荷" → 10M MAU ≈ 2,000 RPS. */
export const PEAK_RPS = (300 * 10_000_000) / 1_500_000;

/** Request mix per active user-day: seed load-test-requirements.ja.md, preset A (midpoints of its ranges). */
export const MIX: ReadonlyArray<{ type: string; label: string; perDay: number }> = [
  { type: "GET /authorize session", label: "/authorize (live session)", perDay: 1 },
  { type: "POST /token authorization_code", label: "/token authorization_code", perDay: 1 },
  { type: "POST /token refresh_token", label: "/token refresh_token", perDay: 1.5 },
  { type: "GET /userinfo bearer", label: "/userinfo", perDay: 7.5 },
];

/** Published prices, Workers Paid plan (USD), read 2026-11-23. */
export const PRICES = {
  doRequestsIncluded: 1e6,
  doPerMillionRequests: 0.15,
  doGbSecondsIncluded: 400_000,
  doPerMillionGbSeconds: 12.5,
  doRowsWrittenIncluded: 50e6,
  doPerMillionRowsWritten: 1.0,
  doStorageGbIncluded: 5,
  doPerGbMonth: 0.2,
  d1RowsWrittenIncluded: 50e6,
  d1PerMillionRowsWritten: 1.0,
  d1RowsReadIncluded: 25e9,
  d1PerMillionRowsRead: 0.001,
  queuesOperationsIncluded: 1e6,
  queuesPerMillionOperations: 0.4,
  r2ClassAIncluded: 1e6,
  r2PerMillionClassA: 4.5,
  r2StorageGbIncluded: 10,
  r2PerGbMonth: 0.015,
  workersBase: 5,
  workersRequestsIncluded: 10e6,
  workersPerMillionRequests: 0.3,
} as const;

/** What the seed itself estimated (§5 コスト試算): DO $12,500, R2 $79, D1/KV/Workers $0. */
export const SEED_ESTIMATE = { durableObjects: 12_500, d1: 0, r2: 79, kv: 0, workers: 0, total: 12_600 };

/** A shard is one Durable Object: plan at half of the documented ~1,000 requests/s soft limit per object. */
export const SHARD_CALLS_PER_S = 500;
/** Storage per Durable Object is capped at 10 GB; plan at half. */
export const SHARD_STORAGE_GB = 5;
/** One audit row written to D1 also writes its two indexes (audit_log_at, audit_log_user); deleting it at the end of the window writes as many again. */
export const D1_ROWS_PER_WINDOW_EVENT = 6;
/** Audit event types the D1 window leaves out by default (AUDIT_WINDOW_SKIP); the mix's requests emit only these. */
export const WINDOW_SKIPPED_TYPES = ["token.issued"];
/** A shard sends its outbox at most once per FLUSH_DELAY_MS (src/actors/user-shard/actor.ts): one queue message per flush. */
export const FLUSH_DELAY_S = 1;
/** A queue message is written, read and deleted: three operations per 64 KB. */
export const QUEUE_OPERATIONS_PER_MESSAGE = 3;
/** The audit consumer's batches (wrangler.jsonc): up to 100 messages or 5 seconds; one archive object per batch and hour. */
export const CONSUMER_BATCH_MESSAGES = 100;
export const CONSUMER_BATCH_SECONDS = 5;

export interface TypeCalls {
  type: string;
  label: string;
  perDay: number;
  monthly: number;
  actorCalls: number;
  d1Queries: number;
  /** Audit events the shard sends to the queue later for this request type, amortized. */
  auditEvents: number;
  /** Rows the shard's SQLite writes per request (Durable Object storage bills per row written). */
  sqlRowsWritten: number;
  /** Where the figures were measured. */
  source: string;
}

const overflow = (used: number, included: number, perMillion: number) => (Math.max(0, used - included) / 1e6) * perMillion;

/** Per request type: the scenario that ran it alone if there is one, else any that ran it. */
function measuredCalls(report: LoadReport): TypeCalls[] {
  const total = MIX.reduce((n, m) => n + m.perDay, 0);
  return MIX.map((m) => {
    const runs = report.scenarios.filter((s) => s.metrics?.[m.type]);
    const alone = runs.find((s) => Object.keys(s.metrics!).filter((t) => !t.includes(" /admin/") && !t.startsWith("(")).length === 1);
    const best = alone ?? runs.sort((a, b) => b.metrics![m.type]!.requests - a.metrics![m.type]!.requests)[0];
    const metrics = best?.metrics?.[m.type];
    const actor = best?.metrics?.["(actor) UserShardActor"];
    const served = best ? workerRequests(best) : 0;
    return {
      ...m,
      monthly: (MONTHLY_REQUESTS * m.perDay) / total,
      actorCalls: metrics?.perRequest.actorCalls ?? NaN,
      d1Queries: metrics?.perRequest.d1Queries ?? NaN,
      auditEvents: actor && served ? (actor.auditEvents ?? 0) / served : 0,
      sqlRowsWritten: actor && served ? (actor.sqlRowsWritten ?? 0) / served : 0,
      source: best ? `${best.name}${alone ? "" : " (mixed flow: audit share averaged over its requests)"}` : "not measured",
    };
  });
}

/** Archive bytes per event, as the consumer wrote them in the report's runs (gzip NDJSON); null if no run archived any. */
export function archiveBytesPerEvent(report: LoadReport): number | null {
  let bytes = 0;
  let events = 0;
  for (const s of report.scenarios) {
    const consumer = s.metrics?.["(consumer) audit"];
    if (!consumer) continue;
    bytes += consumer.r2Bytes ?? 0;
    events += consumer.auditEvents ?? 0;
  }
  return events > 0 && bytes > 0 ? bytes / events : null;
}

export interface AuditModel {
  eventsPerMonth: number;
  /** Queue messages: one per shard flush, so at most shards × seconds / FLUSH_DELAY_S. */
  messagesPerMonth: number;
  queueOperationsPerMonth: number;
  /** Archive objects: one per consumer batch (and hour). */
  archivePutsPerMonth: number;
  bytesPerEvent: number | null;
  archiveGbPerMonth: number | null;
  /** D1 window rows written per month by the mix (inserts and their deletion at the end of the window). */
  windowRowsWrittenPerMonth: number;
}

export interface CostModel {
  types: TypeCalls[];
  actorCallsPerMonth: number;
  d1QueriesPerMonth: number;
  audit: AuditModel;
  sqlRowsWrittenPerMonth: number;
  peakActorCallsPerS: number;
  bytesPerUser: number | null;
  shardsForThroughput: number;
  shardsForStorage: number | null;
  shards: number;
  peakCallsPerShard: number;
  cost: { doRequests: number; doDuration: number; doRowsWritten: number; doStorage: number; d1: number; queues: number; r2: number; workers: number; total: number };
}

export function costModel(report: LoadReport, bytesPerUser: number | null, mau = 10_000_000): CostModel {
  const types = measuredCalls(report);
  const sum = (f: (t: TypeCalls) => number) => types.reduce((n, t) => n + (Number.isFinite(f(t)) ? f(t) : 0), 0);
  const actorCallsPerMonth = sum((t) => t.monthly * t.actorCalls);
  const d1QueriesPerMonth = sum((t) => t.monthly * t.d1Queries);
  const eventsPerMonth = sum((t) => t.monthly * t.auditEvents);
  const sqlRowsWrittenPerMonth = sum((t) => t.monthly * t.sqlRowsWritten);
  const callsPerRequest = actorCallsPerMonth / MONTHLY_REQUESTS;
  const peakActorCallsPerS = PEAK_RPS * callsPerRequest;
  const shardsForThroughput = Math.max(1, Math.ceil(peakActorCallsPerS / SHARD_CALLS_PER_S));
  const storageGb = bytesPerUser === null ? null : (bytesPerUser * mau) / 1e9;
  const shardsForStorage = storageGb === null ? null : Math.ceil(storageGb / SHARD_STORAGE_GB);
  const shards = Math.max(shardsForThroughput, shardsForStorage ?? 0);
  const messagesPerMonth = Math.min(eventsPerMonth, (shards * SECONDS_PER_MONTH) / FLUSH_DELAY_S);
  const bytesPerEvent = archiveBytesPerEvent(report);
  const audit: AuditModel = {
    eventsPerMonth,
    messagesPerMonth,
    queueOperationsPerMonth: messagesPerMonth * QUEUE_OPERATIONS_PER_MESSAGE,
    archivePutsPerMonth: Math.max(messagesPerMonth / CONSUMER_BATCH_MESSAGES, SECONDS_PER_MONTH / CONSUMER_BATCH_SECONDS),
    bytesPerEvent,
    archiveGbPerMonth: bytesPerEvent === null ? null : (eventsPerMonth * bytesPerEvent) / 1e9,
    // Every event of the mix's request types is token.issued, which the window leaves out by default.
    windowRowsWrittenPerMonth: 0,
  };
  // Busy shards never hibernate: each is billed 128 MB for every second of the month.
  const gbSeconds = shards * 0.128 * SECONDS_PER_MONTH;
  const cost = {
    doRequests: overflow(actorCallsPerMonth, PRICES.doRequestsIncluded, PRICES.doPerMillionRequests),
    doDuration: overflow(gbSeconds, PRICES.doGbSecondsIncluded, PRICES.doPerMillionGbSeconds),
    doRowsWritten: overflow(sqlRowsWrittenPerMonth, PRICES.doRowsWrittenIncluded, PRICES.doPerMillionRowsWritten),
    doStorage: storageGb === null ? 0 : Math.max(0, storageGb - PRICES.doStorageGbIncluded) * PRICES.doPerGbMonth,
    d1: overflow(d1QueriesPerMonth + audit.windowRowsWrittenPerMonth, PRICES.d1RowsWrittenIncluded, PRICES.d1PerMillionRowsWritten),
    queues: overflow(audit.queueOperationsPerMonth, PRICES.queuesOperationsIncluded, PRICES.queuesPerMillionOperations),
    // Storage billed for the first month's archive; it grows by as much every month the archive is kept.
    r2:
      overflow(audit.archivePutsPerMonth, PRICES.r2ClassAIncluded, PRICES.r2PerMillionClassA) +
      Math.max(0, (audit.archiveGbPerMonth ?? 0) - PRICES.r2StorageGbIncluded) * PRICES.r2PerGbMonth,
    workers: PRICES.workersBase + overflow(MONTHLY_REQUESTS, PRICES.workersRequestsIncluded, PRICES.workersPerMillionRequests),
    total: 0,
  };
  cost.total = cost.doRequests + cost.doDuration + cost.doRowsWritten + cost.doStorage + cost.d1 + cost.queues + cost.r2 + cost.workers;
  return {
    types,
    actorCallsPerMonth,
    d1QueriesPerMonth,
    audit,
    sqlRowsWrittenPerMonth,
    peakActorCallsPerS,
    bytesPerUser,
    shardsForThroughput,
    shardsForStorage,
    shards,
    peakCallsPerShard: peakActorCallsPerS / shards,
    cost,
  };
}
