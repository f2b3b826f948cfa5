import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { appendEvent, flushOutboxBatch, pendingEvents, trimOutbox } from "../../src/actors/user-shard/outbox";
import { stubFor } from "../../src/shard/stub";
import { deliverAudit, drainOutbox } from "../helpers/audit";
import { admin, json } from "../helpers/http";
import { rowsIn } from "../helpers/shards";

interface User {
  id: string;
  shard: string;
}

async function auditRowsFor(userId: string) {
  return (await env.DB.prepare("SELECT id, type, user_id, shard FROM audit_log WHERE user_id = ? ORDER BY at").bind(userId).all()).results;
}

async function newUser(email: string): Promise<User> {
  return (await json<{ user: User }>(await admin("POST", "/users", { email, password: "correct horse battery" }))).user;
}

const refusingQueue = {
  send: async () => {
    throw new Error("queue unavailable");
  },
  sendBatch: async () => {
    throw new Error("queue unavailable");
  },
} as unknown as Queue;

describe("audit outbox → audit queue", () => {
  it("writes the event in the same shard transaction as the change", async () => {
    const user = await newUser("audit1@example.com");
    const events = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    expect(events.map((e) => e.type)).toEqual(["user.created"]);
  });

  it("a flush sends the events with their ids, shard and data, and empties the outbox", async () => {
    const user = await newUser("audit2@example.com");
    const [row] = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    const messages = await drainOutbox(user.shard);
    const events = messages.flatMap((m) => m.events).filter((e) => e.user_id === user.id);
    expect(events).toEqual([{ id: row!.id, at: row!.at, type: "user.created", user_id: user.id, client_id: null, bucket: row!.bucket, shard: user.shard, data: JSON.parse(String(row!.data)) }]);
    expect(messages.every((m) => m.v === 1 && m.targets === undefined)).toBe(true);
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toEqual([]);
  });

  it("keeps the events when the queue refuses them, says how far behind it is, and delivers them later", async () => {
    const user = await newUser("audit3@example.com");
    await runInDurableObject(stubFor(env, user.shard), async (_instance, state) => {
      await expect(flushOutboxBatch(drizzle(state.storage), refusingQueue, user.shard)).rejects.toThrow("queue unavailable");
    });
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toHaveLength(1);
    const stats = await stubFor(env, user.shard).stats();
    expect(stats.ok && stats.outbox).toBeGreaterThanOrEqual(1);
    expect(stats.ok && stats.outboxOldestAt).toBeLessThanOrEqual(Date.now());

    await deliverAudit(user.shard);
    expect((await auditRowsFor(user.id)).map((r) => r.type)).toEqual(["user.created"]);
  });

  it("the flush alarm survives a queue outage: the alarm re-arms soon and the events stay", async () => {
    const user = await newUser("audit4@example.com");
    const stub = stubFor(env, user.shard);
    await runInDurableObject(stub, async (instance, state) => {
      const actorEnv = (instance as unknown as { env: { AUDIT_QUEUE: Queue } }).env;
      const real = actorEnv.AUDIT_QUEUE;
      actorEnv.AUDIT_QUEUE = refusingQueue;
      try {
        await instance.alarm();
      } finally {
        actorEnv.AUDIT_QUEUE = real;
      }
      const alarm = await state.storage.getAlarm();
      expect(alarm).not.toBeNull();
      expect(alarm!).toBeLessThanOrEqual(Date.now() + 10_000);
    });
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toHaveLength(1);
  });

  it("a full outbox drops its oldest events, counts them, and keeps the newest", async () => {
    const user = await newUser("audit5@example.com");
    await runInDurableObject(stubFor(env, user.shard), (_instance, state) => {
      const sql = state.storage.sql;
      const bucket = Number(sql.exec("SELECT bucket FROM outbox WHERE user_id = ?", user.id).one().bucket);
      for (let i = 1; i <= 2; i++) appendEvent(sql, { bucket, type: "test.filler", userId: user.id }, Date.now() + i);
      const before = Number(sql.exec("SELECT count(*) AS n FROM outbox").one().n);
      expect(before).toBeGreaterThanOrEqual(3);
      const oldest = String(sql.exec("SELECT min(id) AS id FROM outbox").one().id);
      const newest = String(sql.exec("SELECT max(id) AS id FROM outbox").one().id);
      expect(trimOutbox(sql, before)).toBe(0);
      expect(trimOutbox(sql, before - 1)).toBe(1);
      const ids = sql.exec<{ id: string }>("SELECT id FROM outbox").toArray().map((r) => r.id);
      expect(ids).toHaveLength(before - 1);
      expect(ids).not.toContain(oldest);
      expect(ids).toContain(newest);
    });
  });

  it("holds back the events of a bucket the shard is not serving (fenced for a move)", async () => {
    const user = await newUser("audit6@example.com");
    const [event] = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    const stub = stubFor(env, user.shard);
    const setState = (state: string) =>
      runInDurableObject(stub, (_i, s) => void s.storage.sql.exec("UPDATE owned_buckets SET state = ? WHERE bucket = ?", state, event!.bucket));
    await setState("fenced");
    const held = await drainOutbox(user.shard);
    expect(held.flatMap((m) => m.events).filter((e) => e.user_id === user.id)).toEqual([]);
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toHaveLength(1);
    await setState("active");
    await deliverAudit(user.shard);
    expect(await auditRowsFor(user.id)).toHaveLength(1);
  });

  it("a flush reads the pending events, not every bucket the shard owns (SQLite rows read are billed)", async () => {
    const user = await newUser("audit7@example.com");
    const { owned, pending, waiting, rowsRead } = await runInDurableObject(stubFor(env, user.shard), (_i, state) => {
      const query = pendingEvents(drizzle(state.storage)).toSQL();
      const cursor = state.storage.sql.exec(query.sql, ...query.params);
      const pending = cursor.toArray().length;
      const owned = Number(state.storage.sql.exec("SELECT count(*) AS n FROM owned_buckets").one().n);
      // Rows the flush walks past: other files' events of a bucket held back while fenced (shared runtime).
      const waiting = Number(state.storage.sql.exec("SELECT count(*) AS n FROM outbox").one().n);
      return { owned, pending, waiting, rowsRead: cursor.rowsRead };
    });
    expect(owned).toBeGreaterThan(500);
    expect(pending).toBeGreaterThan(0);
    // The cost follows the outbox (an event and its bucket's row each), not the buckets owned.
    expect(rowsRead).toBeLessThanOrEqual(Math.max(pending, waiting) * 3);
    expect(rowsRead).toBeLessThan(owned);
  });

  it("drains more than one batch and records disable events too", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(`bulk${i}@example.com`)));
    for (const user of users) await admin("POST", `/users/${user.id}/disable`);
    for (const shard of new Set(users.map((u) => u.shard))) {
      await deliverAudit(shard);
      // These users' events, not the shard's whole outbox: other test files share the runtime.
      const mine = users.filter((u) => u.shard === shard).map((u) => u.id);
      expect(await rowsIn(shard, "outbox", `user_id IN (${mine.map(() => "?").join(", ")})`, ...mine)).toEqual([]);
    }
    // The operator API's own record of each change (admin.change, naming the operator) is
    // written by the router, not through the shard's outbox: what this test proves is the outbox.
    for (const user of users) {
      const fromOutbox = (await auditRowsFor(user.id)).map((r) => r.type).filter((type) => type !== "admin.change");
      expect(fromOutbox).toEqual(["user.created", "user.disabled"]);
    }
  });

  it("the flush alarm sends through the real queue; two concurrent flushes and a third still leave each event once in D1", async () => {
    const user = await newUser("audit8@example.com");
    const stub = stubFor(env, user.shard);
    await runInDurableObject(stub, (instance) => Promise.all([instance.alarm(), instance.alarm()]));
    await runDurableObjectAlarm(stub);
    const deadline = Date.now() + 20_000;
    while ((await auditRowsFor(user.id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const rows = await auditRowsFor(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "user.created", user_id: user.id, shard: user.shard });
  });
});
