import { describe, expect, it } from "vitest";
import type { AdminResponse } from "../../cli/lib/admin-client.ts";
import { formatEvents, parseWhen, queryAudit, type AuditEvent } from "../../cli/lib/audit-query.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-29T12:00:00Z");
const WINDOW_START = NOW - 30 * DAY;

const event = (id: string, at: number, type = "login.success"): AuditEvent => ({ id, at, type, user_id: "u1", client_id: "app", bucket: 1, shard: "shard-0", data: {} });

/** An operator API that answers from fixed event lists, two events per page, and records each call. */
function fakeApi(windowEvents: AuditEvent[], archiveEvents: AuditEvent[]) {
  const calls: URLSearchParams[] = [];
  const fetch = async (path: string): Promise<AdminResponse> => {
    const q = new URLSearchParams(path.split("?")[1]);
    calls.push(q);
    const since = Number(q.get("since"));
    const until = Number(q.get("until"));
    const pool = (q.get("source") === "archive" ? archiveEvents : windowEvents).filter((e) => e.at >= since && e.at < until);
    const from = Number(q.get("cursor") ?? "0");
    const events = pool.slice(from, from + 2);
    const next = from + 2 < pool.length ? String(from + 2) : null;
    return { status: 200, body: { events, next_cursor: next, window_start: WINDOW_START } } as AdminResponse;
  };
  return { calls, fetch, check: (res: AdminResponse) => res.body as { events: AuditEvent[]; next_cursor: string | null; window_start: number } };
}

describe("npm run audit -- query", () => {
  it("reads the window, and the archive only for the part older than the window, each event once", async () => {
    const recent = [event("e3", NOW - 2 * DAY), event("e4", NOW - DAY), event("e5", NOW - 1000)];
    const old = [event("e1", NOW - 70 * DAY), event("e2", NOW - 40 * DAY), event("e3", NOW - 2 * DAY)];
    const api = fakeApi(recent, old);
    const result = await queryAudit(api.fetch, api.check, "u1", NOW - 90 * DAY, NOW);
    expect(result.events.map((e) => e.id)).toEqual(["e1", "e2", "e3", "e4", "e5"]);
    const archiveCalls = api.calls.filter((q) => q.get("source") === "archive");
    // 60 days of archive in spans of at most 31 days, none reaching into the window.
    expect(archiveCalls.length).toBeGreaterThanOrEqual(2);
    for (const q of archiveCalls) {
      expect(Number(q.get("until")) - Number(q.get("since"))).toBeLessThanOrEqual(31 * DAY);
      expect(Number(q.get("until"))).toBeLessThanOrEqual(WINDOW_START);
    }
  });

  it("a range inside the window never touches the archive", async () => {
    const api = fakeApi([event("e1", NOW - DAY)], [event("x", NOW - 40 * DAY)]);
    const result = await queryAudit(api.fetch, api.check, "u1", NOW - 7 * DAY, NOW);
    expect(result.events.map((e) => e.id)).toEqual(["e1"]);
    expect(api.calls.every((q) => q.get("source") === "window")).toBe(true);
  });

  it("--since and --until take ISO 8601, epoch milliseconds, or a duration back from now", () => {
    expect(parseWhen("2026-11-01T00:00:00Z", NOW)).toBe(Date.parse("2026-11-01T00:00:00Z"));
    expect(parseWhen("1700000000000", NOW)).toBe(1_700_000_000_000);
    expect(parseWhen("12h", NOW)).toBe(NOW - 12 * 3_600_000);
    expect(parseWhen("7d", NOW)).toBe(NOW - 7 * DAY);
    expect(parseWhen("last tuesday", NOW)).toBeNull();
  });

  it("prints one line per event with time, type, client and data", () => {
    const text = formatEvents("u1", [{ ...event("e1", Date.parse("2026-11-29T01:02:03.004Z"), "logout"), data: { sid: "s1" } }]);
    expect(text).toBe('1 event of user u1\n2026-11-29T01:02:03.004Z  logout  client=app  {"sid":"s1"}');
  });
});
