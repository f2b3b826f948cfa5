import { Hono } from "hono/tiny";
import { windowStart } from "../../../audit/window";
import { getClientRow } from "../../d1/clients";
import { notFound } from "../../errors";
import type { AppEnv } from "../../types";
import { clientIdParam } from "./clients";

/**
 * Operator API for a client's recent activity, mounted under /admin/clients: its events in
 * the D1 audit window (AUDIT_RETENTION_DAYS), counted by type. Types in AUDIT_WINDOW_SKIP
 * (default token.issued) never reach the window: the answer names them as `not_counted`.
 *
 * Cost: audit_log has no index on client_id, so this is one statement that walks the
 * `audit_log_at` index over the whole window and reads every row in it (O(events in the
 * window), all clients) — one D1 read unit per row. Fine for an operator opening a page;
 * not for anything on a request path.
 */
export const adminClientUsage = new Hono<AppEnv>().get("/:id/usage", async (c) => {
  const clientId = clientIdParam(c.req.param("id"));
  if (!(await getClientRow(c.env.DB, clientId))) throw notFound("no such client");
  const start = windowStart(Date.now(), c.var.config.auditRetentionDays);
  const { results } = await c.env.DB
    .prepare("SELECT type, COUNT(*) AS n FROM audit_log WHERE at >= ? AND client_id = ? GROUP BY type ORDER BY type")
    .bind(start, clientId)
    .all<{ type: string; n: number }>();
  return c.json({
    client_id: clientId,
    window_start: start,
    retention_days: c.var.config.auditRetentionDays,
    events: Object.fromEntries(results.map((r) => [r.type, r.n])),
    not_counted: [...c.var.config.auditWindowSkip].sort(),
  });
});
