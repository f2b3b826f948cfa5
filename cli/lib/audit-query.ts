// Reading a user's audit trail from both of its homes: the R2 archive for the part of the
// range older than the D1 window, the window for the rest.
import type { AuditRecord } from "../../src/audit/message.ts";
import type { AdminResponse } from "./admin-client.ts";

/** One audit event as the operator API returns it (the archive's and the window's shape). */
export type AuditEvent = AuditRecord;

interface AuditAnswer {
  events: AuditEvent[];
  next_cursor: string | null;
  window_start: number;
}

export type Fetch = (path: string) => Promise<AdminResponse>;
const DAY = 86_400_000;
/** The operator API scans at most this much of the archive per query. */
const ARCHIVE_SPAN = 31 * DAY;

async function pages(fetch: Fetch, params: Record<string, string>, check: (res: AdminResponse) => AuditAnswer): Promise<{ events: AuditEvent[]; windowStart: number }> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  let windowStart = 0;
  do {
    const query = new URLSearchParams(cursor === null ? params : { ...params, cursor });
    const answer = check(await fetch(`/admin/audit?${query}`));
    events.push(...answer.events);
    windowStart = answer.window_start;
    cursor = answer.next_cursor;
  } while (cursor !== null);
  return { events, windowStart };
}

/** Events of `user` in [since, until), oldest first, each once (redeliveries share an id). */
export async function queryAudit(fetch: Fetch, check: (res: AdminResponse) => AuditAnswer, user: string, since: number, until: number): Promise<{ events: AuditEvent[]; windowStart: number; archived: number }> {
  const recent = await pages(fetch, { user, since: String(since), until: String(until), limit: "1000", source: "window" }, check);
  const archived: AuditEvent[] = [];
  for (let from = since; from < Math.min(until, recent.windowStart); from += ARCHIVE_SPAN) {
    const to = Math.min(from + ARCHIVE_SPAN, until, recent.windowStart);
    archived.push(...(await pages(fetch, { user, since: String(from), until: String(to), source: "archive" }, check)).events);
  }
  const byId = new Map<string, AuditEvent>();
  for (const event of [...archived, ...recent.events]) byId.set(event.id, event);
  const events = [...byId.values()].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return { events, windowStart: recent.windowStart, archived: archived.length };
}

export function formatEvents(user: string, events: AuditEvent[]): string {
  if (events.length === 0) return `no audit events for user ${user} in that range`;
  const width = Math.max(...events.map((e) => e.type.length));
  const lines = events.map((e) => {
    const client = e.client_id ? `  client=${e.client_id}` : "";
    const data = Object.keys(e.data ?? {}).length > 0 ? `  ${JSON.stringify(e.data)}` : "";
    return `${new Date(e.at).toISOString()}  ${e.type.padEnd(width)}${client}${data}`;
  });
  return `${events.length} event${events.length === 1 ? "" : "s"} of user ${user}\n${lines.join("\n")}`;
}

/** --since / --until: ISO 8601, milliseconds since the epoch, or a duration back from now (30m, 12h, 7d). */
export function parseWhen(raw: string, now: number): number | null {
  const ago = /^(\d+)([mhd])$/.exec(raw);
  if (ago) return now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: DAY }[ago[2] as "m" | "h" | "d"];
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}
