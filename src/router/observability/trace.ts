import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one request did, gathered as it runs: the request id that ties its log lines,
 * its actor's log lines and its audit events together, and the counts its metrics data
 * point reports. Held in AsyncLocalStorage so the shard call path and the D1 helpers can
 * count without every function taking a context argument.
 */
export interface RequestTrace {
  readonly requestId: string;
  /** Shard that served the request's user, when there was one. */
  shard: string | null;
  actorCalls: number;
  d1Statements: number;
  /** Calls repeated because the map was stale (wrong_shard) or the bucket fenced (bucket_moving). */
  shardRetries: number;
}

const storage = new AsyncLocalStorage<RequestTrace>();

export function runTraced<T>(trace: RequestTrace, fn: () => T): T {
  return storage.run(trace, fn);
}

/** The trace of the request being served, or undefined outside one (alarms, queues, tests calling helpers). */
export function currentTrace(): RequestTrace | undefined {
  return storage.getStore();
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a plausible id (so a client or an
 * upstream proxy can correlate), else Cloudflare's `cf-ray`, else a fresh random one.
 */
export function requestIdOf(headers: Headers): string {
  const given = headers.get("x-request-id");
  if (given && REQUEST_ID.test(given)) return given;
  const ray = headers.get("cf-ray");
  if (ray && REQUEST_ID.test(ray)) return ray;
  return crypto.randomUUID();
}

/** Counts D1 statements the request makes (the router's D1 helpers call this). */
export function noteD1(statements = 1): void {
  const trace = storage.getStore();
  if (trace) trace.d1Statements += statements;
}
