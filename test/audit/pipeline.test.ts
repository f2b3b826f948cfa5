import { createExecutionContext, env, getQueueResult, runDurableObjectAlarm } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { partitionOf } from "../../src/audit/archive";
import { consumeAuditBatch, retryDelayS } from "../../src/audit/consumer";
import type { AuditMessage, AuditRecord } from "../../src/audit/message";
import type { Env } from "../../src/env";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { archivedFor, batchOf, drainOutbox, recordingQueue } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type Tokens = { access_token: string; refresh_token: string; id_token: string };

async function windowFor(userId: string): Promise<Array<{ id: string; type: string }>> {
  return (await env.DB.prepare("SELECT id, type FROM audit_log WHERE user_id = ? ORDER BY id").bind(userId).all<{ id: string; type: string }>()).results;
}

function record(userId: string, type: string, at = Date.now()): AuditRecord {
  return { id: crypto.randomUUID(), at, type, user_id: userId, client_id: null, bucket: 1, shard: "shard-0", data: { n: 1 } };
}

/** The env the consumer sees, with some bindings replaced. */
function envWith(overrides: Partial<Env>): Env {
  return { ...(env as unknown as Env), ...overrides };
}

const failingArchive = {
  put: async () => {
    throw new Error("R2 unavailable");
  },
} as unknown as R2Bucket;
const failingDb = {
  prepare: (sql: string) => env.DB.prepare(sql),
  batch: async () => {
    throw new Error("D1 unavailable");
  },
} as unknown as D1Database;

describe("audit pipeline: outbox → queue → R2 archive and D1 window", () => {
  it("events of sign-in, rotation and logout land in R2 once, partitioned by day and hour, and in the D1 window", async () => {
    const registered = await registerClient("confidential", { post_logout_redirect_uris: ["http://localhost:3000/bye"] });
    const auth = basic(registered.clientId, registered.secret!);
    const user = await createUser();
    const browser = new TestBrowser();
    const issued = await issueCode(registered.clientId, { user, browser });
    const tokens = await json<Tokens>(await tokenRequest(redeemFields(issued), auth));
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth)).status).toBe(200);
    const logout = await browser.get(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://localhost:3000/bye" })}`);
    expect(logout.status).toBe(302);

    // The shard's own alarm sends through the real queue; the real consumer runs after the batch timeout.
    const sub = decodeJwt(tokens.access_token).sub!;
    await runDurableObjectAlarm(stubFor(env, shardOf(await currentDirectoryMap(), bucketOf(sub))));
    const deadline = Date.now() + 25_000;
    let archived: AuditRecord[] = [];
    while (Date.now() < deadline) {
      archived = await archivedFor(sub);
      if (archived.some((r) => r.type === "logout") && (await windowFor(sub)).some((r) => r.type === "logout")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const types = archived.map((r) => r.type);
    for (const type of ["user.created", "login.success", "consent.granted", "token.issued", "logout"]) expect(types, type).toContain(type);
    expect(types.filter((t) => t === "token.issued")).toHaveLength(2);
    const ids = archived.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length); // no event twice
    // The D1 window has every event but the routine token.issued (AUDIT_WINDOW_SKIP's default).
    const windowed = archived.filter((r) => r.type !== "token.issued").map((r) => r.id);
    expect((await windowFor(sub)).map((r) => r.id).sort()).toEqual(windowed.sort());
  });

  it("AUDIT_WINDOW_SKIP: token.issued is archive-only by default; none keeps every type in the window", async () => {
    const skipped = `u-${crypto.randomUUID()}`;
    await consumeAuditBatch(batchOf([{ v: 1, events: [record(skipped, "token.issued"), record(skipped, "login.success")] }]), env as unknown as Env);
    expect((await windowFor(skipped)).map((r) => r.type)).toEqual(["login.success"]);
    expect((await archivedFor(skipped)).map((r) => r.type).sort()).toEqual(["login.success", "token.issued"]);

    const kept = `u-${crypto.randomUUID()}`;
    await consumeAuditBatch(batchOf([{ v: 1, events: [record(kept, "token.issued")] }]), envWith({ AUDIT_WINDOW_SKIP: "none" }));
    expect((await windowFor(kept)).map((r) => r.type)).toEqual(["token.issued"]);
  });

  it("an R2 outage: the D1 window takes the events, the archive gets them once after a resend", async () => {
    const user = await createUser();
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    const messages = await drainOutbox(shard);
    const queue = recordingQueue();
    const ctx = createExecutionContext();
    const batch = batchOf(messages);
    const outcome = await consumeAuditBatch(batch, envWith({ AUDIT_ARCHIVE: failingArchive, AUDIT_QUEUE: queue }));
    expect(outcome.failed).toEqual(["archive"]);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    expect((await windowFor(user.id)).map((r) => r.type)).toEqual(["user.created"]);
    expect(await archivedFor(user.id)).toEqual([]);
    // Sent back for the archive alone.
    expect(queue.sent.map((m) => m.targets)).toEqual(queue.sent.map(() => ["archive"]));

    // R2 is back: the resent message, redelivered twice (at-least-once), still archives each event once.
    await consumeAuditBatch(batchOf(queue.sent, 1), env as unknown as Env);
    await consumeAuditBatch(batchOf(queue.sent, 2), env as unknown as Env);
    const archived = await archivedFor(user.id);
    expect(archived.map((r) => r.type)).toEqual(["user.created"]);
    expect((await windowFor(user.id)).map((r) => r.type)).toEqual(["user.created"]);
  });

  it("a D1 outage: the archive takes the events, the window gets them after a resend", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const events = [record(userId, "test.one"), record(userId, "test.two")];
    const queue = recordingQueue();
    const outcome = await consumeAuditBatch(batchOf([{ v: 1, events }]), envWith({ DB: failingDb, AUDIT_QUEUE: queue }));
    expect(outcome.failed).toEqual(["window"]);
    expect((await archivedFor(userId)).map((r) => r.type).sort()).toEqual(["test.one", "test.two"]);
    expect(await windowFor(userId)).toEqual([]);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ targets: ["window"], resent: 1 });

    await consumeAuditBatch(batchOf(queue.sent), env as unknown as Env);
    expect((await windowFor(userId)).map((r) => r.type).sort()).toEqual(["test.one", "test.two"]);
    expect(await archivedFor(userId)).toHaveLength(2);
  });

  it("both down: the batch is retried later with a growing delay, then lands once", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const body: AuditMessage = { v: 1, events: [record(userId, "test.both")] };
    for (const attempts of [1, 3]) {
      const batch = batchOf([body], attempts);
      const retryAll = batch.retryAll.bind(batch);
      let asked: QueueRetryOptions | undefined;
      batch.retryAll = (options) => {
        asked = options;
        retryAll(options);
      };
      const ctx = createExecutionContext();
      await consumeAuditBatch(batch, envWith({ DB: failingDb, AUDIT_ARCHIVE: failingArchive }));
      const result = await getQueueResult(batch, ctx);
      expect(result.ackAll).toBe(false);
      expect(result.retryBatch.retry).toBe(true);
      expect(asked).toEqual({ delaySeconds: retryDelayS(attempts) });
    }
    expect(retryDelayS(1)).toBe(10);
    expect(retryDelayS(3)).toBe(40);
    expect(retryDelayS(50)).toBe(900);

    await consumeAuditBatch(batchOf([body], 4), env as unknown as Env);
    expect((await windowFor(userId)).map((r) => r.type)).toEqual(["test.both"]);
    expect((await archivedFor(userId)).map((r) => r.type)).toEqual(["test.both"]);
  });

  it("a malformed message is acknowledged, not retried forever; the good ones in its batch land", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const good: AuditMessage = { v: 1, events: [record(userId, "test.good")] };
    const batch = batchOf([good, { v: 2, events: "nope" } as unknown as AuditMessage]);
    const ctx = createExecutionContext();
    await consumeAuditBatch(batch, env as unknown as Env);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect((await windowFor(userId)).map((r) => r.type)).toEqual(["test.good"]);
  });

  it("events older than the D1 window go to the archive only (a catch-up after a long outage)", async () => {
    const userId = `u-${crypto.randomUUID()}`;
    const old = record(userId, "test.old", Date.now() - 40 * 86_400_000);
    const fresh = record(userId, "test.fresh");
    const outcome = await consumeAuditBatch(batchOf([{ v: 1, events: [old, fresh] }]), env as unknown as Env);
    expect(outcome.windowed).toBe(1);
    expect(outcome.archived.some((k) => k.startsWith(partitionOf(old.at)))).toBe(true);
    expect((await windowFor(userId)).map((r) => r.type)).toEqual(["test.fresh"]);
  });
});
