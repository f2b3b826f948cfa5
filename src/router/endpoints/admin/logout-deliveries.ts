import { Hono } from "hono/tiny";
import { parseEventData } from "../../../audit/message";
import { noteD1 } from "../../observability/trace";
import { invalidRequest } from "../../errors";
import type { AppEnv } from "../../types";
import { parseInstant } from "./audit";
import { clientIdParam } from "./clients";

const DAY = 86_400_000;
const MAX_LISTED = 200;

interface Row {
  id: string;
  at: number;
  type: string;
  user_id: string | null;
  data: string;
}

/**
 * Back-channel logout delivery status of one client, from the audit window: how many
 * notifications were delivered and how many failed for good since `since` (default 7 days),
 * and the latest of them. The window keeps `backchannel.*` events for AUDIT_RETENTION_DAYS.
 * Mounted under /admin/clients.
 */
export const adminLogoutDeliveries = new Hono<AppEnv>().get("/:id/logout-deliveries", async (c) => {
  const clientId = clientIdParam(c.req.param("id"));
  const now = Date.now();
  const since = parseInstant("since", c.req.query("since"), now - 7 * DAY);
  if (since > now) throw invalidRequest("since must not be in the future");
  noteD1(2);
  const [counts, latest] = await c.env.DB.batch([
    c.env.DB.prepare("SELECT type, count(*) AS n FROM audit_log WHERE at >= ? AND client_id = ? AND type IN ('backchannel.delivered', 'backchannel.failed') GROUP BY type").bind(since, clientId),
    c.env.DB.prepare(`SELECT id, at, type, user_id, data FROM audit_log WHERE at >= ? AND client_id = ? AND type IN ('backchannel.delivered', 'backchannel.failed') ORDER BY at DESC LIMIT ${MAX_LISTED}`).bind(since, clientId),
  ]);
  const count = (type: string) => Number((counts!.results as Array<{ type: string; n: number }>).find((r) => r.type === type)?.n ?? 0);
  return c.json({
    client_id: clientId,
    since,
    delivered: count("backchannel.delivered"),
    failed: count("backchannel.failed"),
    latest: (latest!.results as unknown as Row[]).map((r) => {
      const data = parseEventData(r.data);
      return { at: r.at, outcome: r.type === "backchannel.delivered" ? "delivered" : "failed", user_id: r.user_id, sid: data.sid ?? null, reason: data.reason ?? null, attempts: data.attempts ?? null, status: data.status ?? null, ms: data.ms ?? null };
    }),
  });
});
