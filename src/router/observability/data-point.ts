import type { RequestTrace } from "./trace";

export { METRIC_COLUMNS } from "./columns";


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

const ENDPOINTS = new Set(["/authorize", "/login", "/consent", "/logout", "/token", "/userinfo", "/revoke", "/introspect", "/jwks.json", "/healthz", "/.well-known/openid-configuration", "/register"]);

/** The endpoint a path counts under: a bounded set of names, so unknown paths cannot flood the index. */
export function endpointOf(pathname: string): string {
  if (ENDPOINTS.has(pathname)) return pathname;
  if (pathname.startsWith("/register/")) return "/register/:client_id";
  const admin = /^\/admin\/([a-z-]+)/.exec(pathname);
  if (admin) return `/admin/${admin[1]}`;
  return "other";
}
