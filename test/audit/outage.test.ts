import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { archivedFor, deliverAudit } from "../helpers/audit";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";

type Tokens = { access_token: string; refresh_token: string };

/** Makes the shard's audit queue refuse everything (or work again), as an outage of Queues would. */
async function setQueueDown(shard: string, down: boolean): Promise<void> {
  await runInDurableObject(stubFor(env, shard), (instance) => {
    const actorEnv = (instance as unknown as { env: { AUDIT_QUEUE: Queue; REAL_QUEUE?: Queue } }).env;
    if (down) {
      actorEnv.REAL_QUEUE ??= actorEnv.AUDIT_QUEUE;
      actorEnv.AUDIT_QUEUE = {
        send: () => Promise.reject(new Error("queue unavailable")),
        sendBatch: () => Promise.reject(new Error("queue unavailable")),
      } as unknown as Queue;
    } else if (actorEnv.REAL_QUEUE) {
      actorEnv.AUDIT_QUEUE = actorEnv.REAL_QUEUE;
    }
  });
}

describe("an audit outage never blocks sign-in", () => {
  it("with the queue down, sign-in, token and refresh work; the events wait in the outbox and land once it is back", async () => {
    const registered = await registerClient("confidential");
    const auth = basic(registered.clientId, registered.secret!);
    const user = await createUser();
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    await deliverAudit(shard);
    await setQueueDown(shard, true);
    try {
      const tokens = await json<Tokens>(await tokenRequest(redeemFields(await issueCode(registered.clientId, { user })), auth));
      const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth);
      expect(refreshed.status).toBe(200);
      const userinfo = await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      expect(userinfo.status).toBe(200);

      // The flush alarm fails and keeps everything.
      await runDurableObjectAlarm(stubFor(env, shard));
      const stats = await stubFor(env, shard).stats();
      expect(stats.ok && stats.outbox).toBeGreaterThanOrEqual(3); // login.success, token.issued × 2 at least
    } finally {
      await setQueueDown(shard, false);
    }
    await deliverAudit(shard);
    const types = new Map((await archivedFor(user.id)).map((e) => [e.id, e.type]));
    expect([...types.values()].filter((t) => t === "token.issued")).toHaveLength(2);
    expect([...types.values()]).toContain("login.success");
    expect(await rowsIn(shard, "outbox", "user_id = ?", user.id)).toEqual([]);
  });
});
