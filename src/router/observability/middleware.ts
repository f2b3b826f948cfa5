import type { MiddlewareHandler } from "hono";
import { toOAuthError } from "../on-error";
import type { AppEnv } from "../types";
import { dataPointOf, endpointOf } from "./data-point";
import { runTraced, requestIdOf, type RequestTrace } from "./trace";

/** LOG_REQUESTS: which requests get a log line of their own (errors: 5xx, 429 and requests that needed shard retries). */
export type RequestLogging = "all" | "errors" | "off";

/**
 * Request observability, first in the chain: a request id (echoed as `X-Request-Id`
 * and carried into the actor and its audit events), one Analytics Engine data point
 * per request, and a structured JSON log line for the requests worth one.
 */
export function observe(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = Date.now();
    const trace: RequestTrace = { requestId: requestIdOf(c.req.raw.headers), shard: null, actorCalls: 0, d1Statements: 0, shardRetries: 0 };
    await runTraced(trace, next);
    c.res.headers.set("X-Request-Id", trace.requestId);
    const status = c.res.status;
    // Hono keeps the error a handler threw (and onError rendered) on the context.
    const error = c.error ? toOAuthError(c.error).code : "";
    const outcome = {
      // Hono's path, already split from the URL for routing: no second parse of the URL per request.
      endpoint: endpointOf(c.req.path),
      method: c.req.method,
      status,
      error,
      colo: String((c.req.raw as { cf?: { colo?: unknown } }).cf?.colo ?? ""),
      durationMs: Date.now() - started,
    };
    c.env.REQUEST_METRICS?.writeDataPoint(dataPointOf(trace, outcome));
    const logging = c.var.config?.logRequests ?? "errors";
    if (logging === "all" || (logging === "errors" && (status >= 500 || status === 429 || trace.shardRetries > 0))) {
      const line = {
        level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
        event: "request",
        request_id: trace.requestId,
        method: outcome.method,
        endpoint: outcome.endpoint,
        status,
        error: error || undefined,
        ms: outcome.durationMs,
        shard: trace.shard ?? undefined,
        actor_calls: trace.actorCalls,
        d1_statements: trace.d1Statements,
        shard_retries: trace.shardRetries,
      };
      (status >= 500 ? console.error : console.log)(JSON.stringify(line));
    }
  };
}
