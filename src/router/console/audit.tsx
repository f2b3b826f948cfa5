import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { UserView } from "../../actors/user-shard/api";
import type { AuditRecord } from "../../audit/message";
import { callApi } from "./api";
import type { ConsoleEnv } from "./guard";
import { frameOf } from "./page";
import { AuditPage, type AuditQuery } from "./views/audit";

/**
 * Audit search: the recent window (GET /admin/audit, indexed by user) for a user given by
 * email or id, over a time range; type and client narrow what that page of events shows.
 * Without a user, a client's events (a client page's usage links here).
 * Older events live in the R2 archive (`npm run audit -- query`).
 */
const PAGE = 500;

function matches(event: AuditRecord, query: AuditQuery): boolean {
  const type = query.type.trim();
  if (type && !(type.endsWith(".") ? event.type.startsWith(type) : event.type === type)) return false;
  return !query.client.trim() || event.client_id === query.client.trim();
}

async function userIdOf(c: Context<ConsoleEnv>, raw: string): Promise<string | { error: string }> {
  if (!raw.includes("@")) return raw;
  const found = await callApi<{ user: UserView }>(c, "GET", `/users?email=${encodeURIComponent(raw)}`);
  return found.ok ? found.body.user.id : { error: found.error };
}

export const consoleAudit = new Hono<ConsoleEnv>().get("/admin/console/audit", async (c) => {
  const query: AuditQuery = { user: "", type: "", client: "", since: "", until: "" };
  for (const key of Object.keys(query) as (keyof AuditQuery)[]) query[key] = (c.req.query(key) ?? "").slice(0, 200);
  const whose = query.user.trim() === "" ? "client" : "user";
  const note = `The recent window (AUDIT_RETENTION_DAYS = ${c.var.config.auditRetentionDays}), newest first, at most ${PAGE} events of the ${whose}.`;
  let params: URLSearchParams;
  if (query.user.trim() !== "") {
    const user = await userIdOf(c, query.user.trim());
    if (typeof user !== "string") return c.html(<AuditPage frame={await frameOf(c, { error: user.error })} query={query} events={null} note={note} />, 404);
    params = new URLSearchParams({ user, limit: String(PAGE) });
  } else if (query.client.trim() !== "") {
    // No user: the client's events (GET /admin/audit?client=, a walk over the window's time range).
    params = new URLSearchParams({ client: query.client.trim(), limit: String(PAGE) });
  } else {
    return c.html(<AuditPage frame={await frameOf(c)} query={query} events={null} note={note} />);
  }
  if (query.since) params.set("since", query.since);
  if (query.until) params.set("until", query.until);
  const page = await callApi<{ events: AuditRecord[] }>(c, "GET", `/audit?${params}`);
  if (!page.ok) return c.html(<AuditPage frame={await frameOf(c, { error: page.error })} query={query} events={null} note={note} />, 400);
  const events = page.body.events.filter((e) => matches(e, query)).reverse();
  return c.html(<AuditPage frame={await frameOf(c)} query={query} events={events} note={note} />);
});
