import { createMessageBatch, env, getQueueResult, createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeviceJob } from "../../src/ciba/message";
import { loadConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { deliverCibaBatch } from "../../src/router/ciba/deliver";
import { webhookSignature } from "../../src/router/ciba/notify";
import { signJwt } from "../../src/router/keys/cache";
import { app } from "../../src/router/app";
import { ORIGIN } from "../helpers/http";
import { TestBrowser } from "../helpers/browser";
import { createUser } from "../helpers/oidc";
import { drainOutbox, recordingQueue } from "../helpers/audit";
import { approvalLinkFor, approveAs, bcAuthorize, cibaClient, poll, runShardAlarm, shardOfUser, startCiba, waitForReceived } from "./helpers";

const NOTIFIER_SECRET = "test-notifier-secret-0123456789abcdef";

/** The env of a deployment with the authentication-device webhook configured (at the test receiver). */
function notifierEnv(key: string, path = "json"): Env {
  return { ...(env as unknown as Env), CIBA_NOTIFIER_URL: `https://push.example/${path}/${key}`, CIBA_NOTIFIER_SECRET: NOTIFIER_SECRET };
}

function deviceJob(overrides: Partial<DeviceJob> = {}): DeviceJob {
  return { v: 1, kind: "device", event_id: crypto.randomUUID(), client_id: "some-client", request_id: "AAAAAAAAAAAAAAAAAAAAAA", bucket: 7, user_id: "u1", scope: "openid", binding_message: "Desk 7", expires_at: Date.now() + 60_000, ...overrides };
}

async function audited(userId: string): Promise<string[]> {
  return (await env.DB.prepare("SELECT type FROM audit_log WHERE user_id = ? ORDER BY id").bind(userId).all<{ type: string }>()).results.map((r) => r.type);
}

/** CIBA Core §8: the OP reaches the user's authentication device; and every step leaves an audit event. */
describe("CIBA authentication device channel and audit", () => {
  it("the webhook: JSON naming user, client, scope, binding message and approval link, signed with HMAC-SHA-256 over `<t>.<body>`", async () => {
    const key = crypto.randomUUID();
    const job = deviceJob();
    const batch = createMessageBatch("authshard-notify", [{ id: "m1", timestamp: new Date(), attempts: 1, body: job }]);
    const ctx = createExecutionContext();
    await deliverCibaBatch(batch, notifierEnv(key));
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m1"]);
    const [got] = await waitForReceived(key, 1);
    expect(got!.body).toMatchObject({
      type: "ciba.authentication_request",
      id: job.event_id,
      user_id: "u1",
      client_id: "some-client",
      scope: "openid",
      binding_message: "Desk 7",
      approve_url: `${loadConfig(env as unknown as Env).issuer}/ciba?request=7.AAAAAAAAAAAAAAAAAAAAAA`,
    });
    const signature = (got as unknown as { signature: string }).signature;
    const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(mac).toBe(await webhookSignature(NOTIFIER_SECRET, Number(t), JSON.stringify(got!.body)));
    // A receiver holding another secret would refuse it.
    expect(mac).not.toBe(await webhookSignature("another-secret-0123456789abcdef0123", Number(t), JSON.stringify(got!.body)));
  });

  it("a webhook that fails is retried with backoff; after the last retry the dead-letter consumer acknowledges it", async () => {
    const key = crypto.randomUUID();
    const batch = createMessageBatch("authshard-notify", [{ id: "m1", timestamp: new Date(), attempts: 1, body: deviceJob() }]);
    await deliverCibaBatch(batch, notifierEnv(key, "down"));
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect(result.explicitAcks).toEqual([]);
    const audit = recordingQueue();
    const dead = createMessageBatch("authshard-notify-dlq", [{ id: "m2", timestamp: new Date(), attempts: 6, body: deviceJob() }]);
    await deliverCibaBatch(dead, { ...notifierEnv(key, "down"), AUDIT_QUEUE: audit }, { deadLetter: true });
    expect((await getQueueResult(dead, createExecutionContext())).explicitAcks).toEqual(["m2"]);
    expect(audit.sent.flatMap((m) => m.events.map((e) => e.type))).toEqual(["ciba.delivery_failed"]);
  });

  it("audit: ciba.requested, ciba.approved, ciba.redeemed and ciba.denied reach the audit trail through the outbox", async () => {
    const client = await cibaClient("poll");
    const user = await createUser();
    const approved = await startCiba(client, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    expect((await poll(client, approved.auth_req_id)).status).toBe(200);
    await startCiba(client, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "deny");
    await runShardAlarm(user.id);
    const deadline = Date.now() + 20_000;
    let types = await audited(user.id);
    while (!types.includes("ciba.denied") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      types = await audited(user.id);
    }
    expect(types.filter((t) => t.startsWith("ciba."))).toEqual(["ciba.requested", "ciba.approved", "ciba.redeemed", "ciba.requested", "ciba.denied"]);
  });

  it("audit: the sweep records ciba.expired for a request nobody answered", async () => {
    const client = await cibaClient("poll");
    const user = await createUser();
    await startCiba(client, { login_hint: user.email });
    const shard = await shardOfUser(user.id);
    const { runInDurableObject } = await import("cloudflare:test");
    const { stubFor } = await import("../../src/shard/stub");
    const events = await runInDurableObject(stubFor(env, shard), async (instance, state) => {
      state.storage.sql.exec("UPDATE ciba_requests SET expires_at = ? WHERE user_id = ?", Date.now() - 1, user.id);
      instance.sweep();
      return state.storage.sql.exec<{ type: string; data: string }>("SELECT type, data FROM outbox WHERE user_id = ? AND type = 'ciba.expired'", user.id).toArray();
    });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ mode: "poll" });
    await drainOutbox(shard);
  });

  it("§7.1 id_token_hint: an expired ID token we issued to this client still names its user", async () => {
    const client = await cibaClient("poll");
    const user = await createUser();
    const config = loadConfig(env as unknown as Env);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await signJwt(env as unknown as Env, config, "ES256", { iss: config.issuer, sub: user.id, aud: client.clientId, iat: past, exp: past + 60 }, { typ: "JWT" });
    const res = await bcAuthorize(client, { id_token_hint: expired });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await approvalLinkFor(user.id)).toMatch(/^\/ciba\?request=/);
  });

  it("/dev/ciba exists only in local mode, and without CIBA_SECRET CIBA is off (no endpoint, nothing in discovery)", async () => {
    const fetchWith = (overrides: Record<string, string | undefined>, path: string) =>
      app.fetch(new Request(new URL(path, ORIGIN)), { ...(env as unknown as Env), ...overrides }, createExecutionContext());
    expect((await fetchWith({ CIBA_DEV_LISTING: "off" }, "/dev/ciba")).status).toBe(404);
    expect((await fetchWith({ CIBA_DEV_LISTING: "on" }, "/dev/ciba")).status).toBe(200);
    const off = await (await fetchWith({ CIBA_SECRET: undefined }, "/.well-known/openid-configuration")).json<Record<string, unknown>>();
    expect(off).not.toHaveProperty("backchannel_authentication_endpoint");
    expect(off.grant_types_supported).not.toContain("urn:openid:params:grant-type:ciba");
    const refused = await app.fetch(new Request(new URL("/bc-authorize", ORIGIN), { method: "POST" }), { ...(env as unknown as Env), CIBA_SECRET: undefined }, createExecutionContext());
    expect(refused.status).toBe(404);
  });
});
