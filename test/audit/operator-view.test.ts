import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { archiveRecords } from "../../src/audit/archive";
import { insertIntoWindow } from "../../src/audit/window";
import type { AuditRecord } from "../../src/audit/message";
import { admin, json } from "../helpers/http";

const DAY = 86_400_000;

interface Answer {
  events: AuditRecord[];
  next_cursor: string | null;
  window_start: number;
}

function events(userId: string, n: number, at: (i: number) => number): AuditRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${userId}-${String(i).padStart(3, "0")}`, at: at(i), type: `test.e${i}`, user_id: userId, client_id: "c1", bucket: 7, shard: "shard-1", data: { i } }));
}

async function get(query: Record<string, string>): Promise<Response> {
  return admin("GET", `/audit?${new URLSearchParams(query)}`);
}

describe("operator audit view (GET /admin/audit)", () => {
  it("pages a user's events in the D1 window, oldest first, with their data", async () => {
    const userId = `view-${crypto.randomUUID()}`;
    const now = Date.now();
    const written = events(userId, 5, (i) => now - (5 - i) * 1000);
    await insertIntoWindow(env.DB, [...written, ...events(`other-${userId}`, 2, () => now)], 0);
    const first = await json<Answer>(await get({ user: userId, limit: "3" }));
    expect(first.events.map((e) => e.type)).toEqual(["test.e0", "test.e1", "test.e2"]);
    expect(first.events[0]).toEqual(written[0]);
    expect(first.next_cursor).not.toBeNull();
    const second = await json<Answer>(await get({ user: userId, limit: "3", cursor: first.next_cursor! }));
    expect(second.events.map((e) => e.type)).toEqual(["test.e3", "test.e4"]);
    expect(second.next_cursor).toBeNull();
    expect(first.window_start).toBeLessThanOrEqual(now - 30 * DAY + 5_000);
  });

  it("scans the R2 archive for older events, a bounded number of objects per call, each event once", async () => {
    const userId = `arch-${crypto.randomUUID()}`;
    const base = Date.now() - 60 * DAY;
    const old = events(userId, 25, (i) => base + i * 60_000);
    // One object per event (25 objects, more than a page), plus a redelivered copy of the first three.
    for (const e of old) await archiveRecords(env.AUDIT_ARCHIVE, [e]);
    await archiveRecords(env.AUDIT_ARCHIVE, old.slice(0, 3));
    const seen: AuditRecord[] = [];
    let cursor: string | null = null;
    let calls = 0;
    do {
      const query: Record<string, string> = { user: userId, source: "archive", since: String(base - 1000), until: String(base + DAY) };
      if (cursor) query.cursor = cursor;
      const page = await json<Answer>(await get(query));
      seen.push(...page.events);
      cursor = page.next_cursor;
      calls++;
    } while (cursor !== null && calls < 10);
    expect(calls).toBeGreaterThan(1);
    const ids = new Set(seen.map((e) => e.id));
    expect([...ids].sort()).toEqual(old.map((e) => e.id));
  });

  it("refuses bad input with a 400 and says why", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /user is required/],
      [{ user: "u", since: "yesterday" }, /since must be an ISO 8601 time/],
      [{ user: "u", since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z" }, /until must be later/],
      [{ user: "u", limit: "0" }, /limit must be an integer between 1 and 1000/],
      [{ user: "u", source: "d1" }, /source must be window or archive/],
      [{ user: "u", source: "archive", since: "2026-01-01T00:00:00Z", until: "2026-03-01T00:00:00Z" }, /at most 31 days/],
    ];
    for (const [query, message] of cases) {
      const res = await get(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect((await json<{ error: string; error_description: string }>(res)).error_description).toMatch(message);
    }
  });

  it("needs the operator token", async () => {
    const res = await admin("GET", "/audit?user=u", undefined, { Authorization: "Bearer wrong-token-0123456789" });
    expect(res.status).toBe(401);
  });
});
