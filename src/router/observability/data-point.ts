import type { RequestTrace } from "./trace";

/**
 * The Analytics Engine data point of one request (dataset `authshard_requests`). The column
 * meaning is fixed here and in the queries of `npm run metrics` (cli/lib/metrics-queries.ts):
 *
 *   index1  endpoint            (sampling key)
 *   blob1   endpoint            e.g. "/token", "/authorize", "/admin/users"
 *   blob2   method
 *   blob3   status class        "2xx" … "5xx"
 *   blob4   shard               "" when the request touched no user
 *   blob5   error code          OAuth `error`, "" on success
 *   blob6   colo                Cloudflare location, "" locally
 *   blob7   request id
 *   double1 status
 *   double2 duration in ms      (wall time as the worker saw it)
 *   double3 actor calls
 *   double4 D1 statements
 *   double5 shard retries       (wrong_shard / bucket_moving)
 */
export const METRIC_COLUMNS = {
  endpoint: "blob1",
  method: "blob2",
  statusClass: "blob3",
  shard: "blob4",
  error: "blob5",
  colo: "blob6",
  requestId: "blob7",
  status: "double1",
  durationMs: "double2",
  actorCalls: "double3",
  d1Statements: "double4",
  shardRetries: "double5",
} as const;

export interface RequestOutcome {
  endpoint: string;
  method: string;
  status: number;
  error: string;
  colo: string;
  durationMs: number;
}

export function dataPointOf(trace: RequestTrace, outcome: RequestOutcome): AnalyticsEngineDataPoint {
  return {
    indexes: [outcome.endpoint],
    blobs: [outcome.endpoint, outcome.method, `${Math.floor(outcome.status / 100)}xx`, trace.shard ?? "", outcome.error, outcome.colo, trace.requestId],
    doubles: [outcome.status, outcome.durationMs, trace.actorCalls, trace.d1Statements, trace.shardRetries],
  };
}

const ENDPOINTS = new Set(["/authorize", "/login", "/consent", "/logout", "/token", "/userinfo", "/revoke", "/introspect", "/jwks.json", "/healthz", "/.well-known/openid-configuration"]);

/** The endpoint a path counts under: a bounded set of names, so unknown paths cannot flood the index. */
export function endpointOf(pathname: string): string {
  if (ENDPOINTS.has(pathname)) return pathname;
  const admin = /^\/admin\/([a-z-]+)/.exec(pathname);
  if (admin) return `/admin/${admin[1]}`;
  return "other";
}
