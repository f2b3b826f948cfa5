import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { flushOutboxBatch, pendingEvents } from "../../src/actors/user-shard/outbox";
import { stubFor } from "../../src/shard/stub";
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

describe("audit outbox → D1 audit_log", () => {
  it("writes the event in the same shard transaction as the change", async () => {
    const user = await newUser("audit1@example.com");
    const events = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    expect(events.map((e) => e.type)).toEqual(["user.created"]);
  });

  it("delivers each event exactly once even when the flush alarm runs twice at the same time", async () => {
    const user = await newUser("audit2@example.com");
    const stub = stubFor(env, user.shard);
    await runInDurableObject(stub, (instance) => Promise.all([instance.alarm(), instance.alarm()]));
    // And once more after it already emptied the outbox.
    await runDurableObjectAlarm(stub);
    const rows = await auditRowsFor(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "user.created", user_id: user.id, shard: user.shard });
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toEqual([]);
  });

  it("a flush that crashed after D1 accepted the rows does not duplicate them when it runs again", async () => {
    const user = await newUser("audit3@example.com");
    const [event] = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    // Simulate the crash: the row reached D1 but the outbox delete never happened.
    await env.DB.prepare("INSERT INTO audit_log (id, at, type, user_id, client_id, bucket, shard, data) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)")
      .bind(event!.id, event!.at, event!.type, user.id, event!.bucket, user.shard, event!.data)
      .run();
    await runDurableObjectAlarm(stubFor(env, user.shard));
    expect(await auditRowsFor(user.id)).toHaveLength(1);
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toEqual([]);
  });

  it("keeps the events when D1 refuses the batch, and delivers them later", async () => {
    const user = await newUser("audit4@example.com");
    const failingD1 = {
      prepare: env.DB.prepare.bind(env.DB),
      batch: async () => {
        throw new Error("D1 unavailable");
      },
    } as unknown as D1Database;
    await runInDurableObject(stubFor(env, user.shard), async (_instance, state) => {
      await expect(flushOutboxBatch(drizzle(state.storage), failingD1, user.shard)).rejects.toThrow("D1 unavailable");
    });
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toHaveLength(1);
    expect(await auditRowsFor(user.id)).toHaveLength(0);

    await runDurableObjectAlarm(stubFor(env, user.shard));
    expect(await auditRowsFor(user.id)).toHaveLength(1);
  });

  it("holds back the events of a bucket the shard is not serving (fenced for a move)", async () => {
    const user = await newUser("audit5@example.com");
    const [event] = await rowsIn(user.shard, "outbox", "user_id = ?", user.id);
    const stub = stubFor(env, user.shard);
    const setState = (state: string) =>
      runInDurableObject(stub, (_i, s) => void s.storage.sql.exec("UPDATE owned_buckets SET state = ? WHERE bucket = ?", state, event!.bucket));
    await setState("fenced");
    await runInDurableObject(stub, (instance) => instance.flushOutbox());
    expect(await auditRowsFor(user.id)).toHaveLength(0);
    expect(await rowsIn(user.shard, "outbox", "user_id = ?", user.id)).toHaveLength(1);
    await setState("active");
    await runInDurableObject(stub, (instance) => instance.flushOutbox());
    expect(await auditRowsFor(user.id)).toHaveLength(1);
  });

  it("a flush reads the pending events, not every bucket the shard owns (SQLite rows read are billed)", async () => {
    const user = await newUser("audit6@example.com");
    const { owned, pending, rowsRead } = await runInDurableObject(stubFor(env, user.shard), (_i, state) => {
      const query = pendingEvents(drizzle(state.storage)).toSQL();
      const cursor = state.storage.sql.exec(query.sql, ...query.params);
      const pending = cursor.toArray().length;
      const owned = Number(state.storage.sql.exec("SELECT count(*) AS n FROM owned_buckets").one().n);
      return { owned, pending, rowsRead: cursor.rowsRead };
    });
    expect(owned).toBeGreaterThan(500);
    expect(pending).toBeGreaterThan(0);
    expect(rowsRead).toBeLessThanOrEqual(pending * 3);
  });

  it("drains more than one batch and records disable events too", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => newUser(`bulk${i}@example.com`)));
    for (const user of users) await admin("POST", `/users/${user.id}/disable`);
    for (const shard of new Set(users.map((u) => u.shard))) {
      await runInDurableObject(stubFor(env, shard), (instance) => instance.flushOutbox());
      expect(await rowsIn(shard, "outbox")).toEqual([]);
    }
    for (const user of users) {
      expect((await auditRowsFor(user.id)).map((r) => r.type)).toEqual(["user.created", "user.disabled"]);
    }
  });
});
