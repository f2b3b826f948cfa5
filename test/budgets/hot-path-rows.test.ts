import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../src/shard/map";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

/**
 * Row budgets of the hot paths. Durable Object SQLite bills per row read and written
 * (index entries count as rows), and rows are what a request costs the shard besides
 * its CPU, so these are deterministic budgets a regression must not pass. Written rows
 * include the audit event's later deletion by the outbox flush. Timing is not asserted
 * here: it lives in the load suite.
 */
const BUDGET = {
  authorize: { written: 3, read: 6 },
  code: { written: 6, read: 10 },
  refresh: { written: 5, read: 10 },
  userinfo: { written: 0, read: 6 },
};

type Tally = { read: number; written: number };

/** Counts the rows every statement of the shard's SQLite reads and writes while `work` runs. */
async function rowsDuring(shard: string, work: () => Promise<void>): Promise<Tally> {
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  let original: SqlStorage["exec"] | null = null;
  await flush(shard); // earlier events (sign-in, consent) are not this work's
  await runInDurableObject(stubFor(env, shard), (_instance, state) => {
    const sql = state.storage.sql;
    original = sql.exec;
    const exec = original.bind(sql);
    Object.defineProperty(sql, "exec", {
      configurable: true,
      writable: true,
      value: (query: string, ...bindings: unknown[]) => {
        const cursor = exec(query, ...bindings);
        cursors.push(cursor);
        return cursor;
      },
    });
  });
  try {
    await work();
    // The audit events this work appended leave the outbox as the flush delivers them.
    await flush(shard);
  } finally {
    await runInDurableObject(stubFor(env, shard), (_instance, state) => {
      Object.defineProperty(state.storage.sql, "exec", { configurable: true, writable: true, value: original });
    });
  }
  return cursors.reduce((t, c) => ({ read: t.read + c.rowsRead, written: t.written + c.rowsWritten }), { read: 0, written: 0 });
}

function flush(shard: string): Promise<unknown> {
  return runInDurableObject(stubFor(env, shard), (instance) => (instance as unknown as { flushOutbox(): Promise<unknown> }).flushOutbox());
}

let app: { clientId: string; auth: Record<string, string> };

beforeAll(async () => {
  const registered = await registerClient("confidential");
  app = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
});

describe("rows a hot-path request costs its shard", () => {
  it("authorize with a session, code redemption, refresh rotation and userinfo stay within their row budgets", async () => {
    const user = await createUser();
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    const issued = await issueCode(app.clientId, { user });

    // /authorize with the live session (consent already given): the code is all it writes.
    let again: Awaited<ReturnType<typeof issueCode>> | null = null;
    const authorize = await rowsDuring(shard, async () => {
      again = await issueCode(app.clientId, { user, browser: issued.browser });
    });
    expect(again!.code).toMatch(/^c\./);

    let tokens: { access_token: string; refresh_token: string } | null = null;
    const code = await rowsDuring(shard, async () => {
      const response = await tokenRequest(redeemFields(issued), app.auth);
      expect(response.status).toBe(200);
      tokens = await json(response);
    });
    const refresh = await rowsDuring(shard, async () => {
      const response = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens!.refresh_token }, app.auth);
      expect(response.status).toBe(200);
      tokens = await json(response);
    });
    const userinfo = await rowsDuring(shard, async () => {
      const response = await call("/userinfo", { headers: { Authorization: `Bearer ${tokens!.access_token}` } });
      expect(response.status).toBe(200);
    });
    console.log(`[rows] authorize ${JSON.stringify(authorize)} code ${JSON.stringify(code)} refresh ${JSON.stringify(refresh)} userinfo ${JSON.stringify(userinfo)}`);

    expect(authorize.written).toBeLessThanOrEqual(BUDGET.authorize.written);
    expect(authorize.read).toBeLessThanOrEqual(BUDGET.authorize.read);
    expect(code.written).toBeLessThanOrEqual(BUDGET.code.written);
    expect(code.read).toBeLessThanOrEqual(BUDGET.code.read);
    expect(refresh.written).toBeLessThanOrEqual(BUDGET.refresh.written);
    expect(refresh.read).toBeLessThanOrEqual(BUDGET.refresh.read);
    expect(userinfo.written).toBeLessThanOrEqual(BUDGET.userinfo.written);
    expect(userinfo.read).toBeLessThanOrEqual(BUDGET.userinfo.read);
    // Each did write something where it must (the counting is live, not vacuous).
    expect(code.written).toBeGreaterThan(0);
    expect(refresh.written).toBeGreaterThan(0);
  });
});
