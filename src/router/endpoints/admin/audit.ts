import { Hono } from "hono/tiny";
import { archivePage, windowPage } from "../../../audit/query";
import { windowStart } from "../../../audit/window";
import { invalidRequest } from "../../errors";
import type { AppEnv } from "../../types";

/** An instant given as ISO 8601 or as milliseconds since the epoch. */
export function parseInstant(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) throw invalidRequest(`${name} must be an ISO 8601 time or milliseconds since the epoch, got ${JSON.stringify(raw)}`);
  return value;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) throw invalidRequest(`limit must be an integer between 1 and 1000, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * Operator API for the audit trail, mounted at /admin/audit.
 *
 * `source=window` (default) reads the recent window in D1 (AUDIT_RETENTION_DAYS), paged by
 * `limit`, for a `user` or else a `client` (no client index: a walk over the time range until
 * `limit` of its events are found — an operator's page, not polling); `source=archive` scans
 * the R2 archive's hour partitions a bounded number of objects per call. `npm run audit -- query` reads the archive for the part of the range
 * older than `window_start` and the window for the rest.
 */
export const adminAudit = new Hono<AppEnv>().get("/", async (c) => {
  const now = Date.now();
  const user = c.req.query("user");
  const source = c.req.query("source") ?? "window";
  if (source !== "window" && source !== "archive") throw invalidRequest(`source must be window or archive, got ${JSON.stringify(source)}`);
  const client = c.req.query("client");
  if (client !== undefined && client !== "" && user !== undefined && user !== "") throw invalidRequest("give user or client, not both");
  const key = user ? { user } : client ? { client } : null;
  if (source === "window" && key === null) throw invalidRequest("user is required, or client (the window is read by user or by client)");
  if (source === "archive" && client) throw invalidRequest("client is for the window; the archive is scanned by user or for everyone");
  const start = windowStart(now, c.var.config.auditRetentionDays);
  const since = parseInstant("since", c.req.query("since"), source === "window" ? start : now - 86_400_000);
  const until = parseInstant("until", c.req.query("until"), now + 60_000);
  if (until <= since) throw invalidRequest("until must be later than since");
  if (source === "archive" && until - since > 31 * 86_400_000) throw invalidRequest("an archive scan covers at most 31 days per query; use a query engine for longer ranges");
  const cursor = c.req.query("cursor") ?? null;
  const page =
    source === "window"
      ? await windowPage(c.env.DB, key!, since, until, parseLimit(c.req.query("limit")), cursor)
      : await archivePage(c.env.AUDIT_ARCHIVE, user || null, since, until, cursor);
  return c.json({
    source,
    user_id: user || null,
    client_id: client || null,
    since,
    until,
    window_start: start,
    retention_days: c.var.config.auditRetentionDays,
    events: page.events,
    next_cursor: page.next,
  });
});
