import { Hono } from "hono/tiny";
import { OAuthError } from "../../errors";
import { metricsEnabled, resetMetrics, snapshot } from "../../metrics";
import type { AppEnv } from "../../types";

const off = () => new OAuthError("not_found", 404, "metrics are off (the worker runs without METRICS=1)");

/**
 * Operator API for the load suite's call counts (src/router/metrics.ts): read the
 * totals per request type, or reset them before a scenario. Absent unless METRICS=1.
 */
export const adminMetrics = new Hono<AppEnv>()
  .get("/", (c) => {
    if (!metricsEnabled(c.env)) throw off();
    return c.json(snapshot());
  })
  .delete("/", (c) => {
    if (!metricsEnabled(c.env)) throw off();
    resetMetrics();
    return c.body(null, 204);
  });
