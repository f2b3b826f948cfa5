import { createExecutionContext, env, getQueueResult, runDurableObjectAlarm } from "cloudflare:test";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { describe, expect, it } from "vitest";
import type { AuditMessage } from "../../src/audit/message";
import type { BackchannelJob } from "../../src/backchannel/message";
import type { Env } from "../../src/env";
import { BACKCHANNEL_LOGOUT_EVENT, deliverBackchannel, registryTargets, retryDelayS } from "../../src/router/logout/backchannel";
import { loadConfig } from "../../src/config";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { consumeAuditBatch } from "../../src/audit/consumer";
import { batchOf, drainOutbox, recordingQueue } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type Tokens = { access_token: string; id_token: string };
interface Received {
  host: string;
  contentType: string | null;
  logout_token: string | null;
  status: number;
}

async function received(key: string): Promise<Received[]> {
  return (await env.RP_RECEIVER.fetch(`http://rp/received?key=${key}`)).json();
}

async function waitFor(key: string, n: number, ms = 15_000): Promise<Received[]> {
  const deadline = Date.now() + ms;
  let got = await received(key);
  while (got.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    got = await received(key);
  }
  return got;
}

/** A client whose back-channel endpoint is the test RP worker at /<mode>/<key>. */
async function clientWithBackchannel(mode: string) {
  const key = crypto.randomUUID();
  const client = await registerClient("confidential", { backchannel_logout_uri: `https://rp.example/${mode}/${key}`, backchannel_logout_session_required: true, post_logout_redirect_uris: ["http://localhost:3000/bye"] });
  return { ...client, key };
}

async function signIn(user: Awaited<ReturnType<typeof createUser>>, browser: TestBrowser, client: { clientId: string; secret: string | undefined }): Promise<Tokens> {
  return json<Tokens>(await tokenRequest(redeemFields(await issueCode(client.clientId, { user, browser })), basic(client.clientId, client.secret!)));
}

async function verifyLogoutToken(token: string, audience: string) {
  const jwks = await json<JSONWebKeySet>(await call("/jwks.json"));
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ORIGIN, audience, typ: "logout+jwt", maxTokenAge: 120 });
}

/** OpenID Connect Back-Channel Logout 1.0. */
describe("back-channel logout delivery", () => {
  it("RP-initiated logout: each client of the session with a back-channel URI gets one logout token (§2.4, §2.5) through the queue", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const one = await clientWithBackchannel("ok");
    const two = await clientWithBackchannel("ok");
    const silent = await registerClient("confidential");
    const tokens = await signIn(user, browser, one);
    await signIn(user, browser, two);
    await signIn(user, browser, silent);
    const sid = decodeJwt(tokens.id_token).sid as string;

    const started = Date.now();
    const logout = await browser.get(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://localhost:3000/bye" })}`);
    expect(logout.status).toBe(302);
    const logoutMs = Date.now() - started;

    // The shard's flush alarm, then the logout queue's consumer (batch timeout 1 s).
    await runDurableObjectAlarm(stubFor(env, shardOf(await currentDirectoryMap(), bucketOf(user.id))));
    for (const client of [one, two]) {
      const got = await waitFor(client.key, 1);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ host: "rp.example", status: 200 });
      expect(got[0]!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      const { payload, protectedHeader } = await verifyLogoutToken(got[0]!.logout_token!, client.clientId);
      expect(protectedHeader.typ).toBe("logout+jwt");
      expect(payload).toMatchObject({ iss: ORIGIN, aud: client.clientId, sub: user.id, sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } });
      expect(payload.nonce).toBeUndefined(); // §2.4: a logout token must not carry a nonce
      expect(payload.jti).toMatch(/^[0-9a-f]{32}$/);
    }
    // Nothing more arrives: one token per client.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await received(one.key)).toHaveLength(1);
    expect(logoutMs).toBeLessThan(5_000); // the logout response did not wait on any client
  });

  it("the operator ending sessions and disabling a user notify too", async () => {
    for (const act of ["end-sessions", "disable"] as const) {
      const user = await createUser();
      const client = await clientWithBackchannel("ok");
      await signIn(user, new TestBrowser(), client);
      const res = act === "disable" ? await admin("POST", `/users/${user.id}/disable`) : await admin("DELETE", `/users/${user.id}/sessions`);
      expect(res.status).toBe(200);
      await runDurableObjectAlarm(stubFor(env, shardOf(await currentDirectoryMap(), bucketOf(user.id))));
      const got = await waitFor(client.key, 1);
      expect(got.map((g) => g.status), act).toEqual([200]);
      expect((await verifyLogoutToken(got[0]!.logout_token!, client.clientId)).payload.sub).toBe(user.id);
    }
  });

  it("a receiver that fails twice gets the token on the third try, with growing delays between; the jti stays the same", async () => {
    const user = await createUser();
    const client = await clientWithBackchannel("flaky-2");
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    await signIn(user, new TestBrowser(), client);
    await drainOutbox(shard);
    await admin("DELETE", `/users/${user.id}/sessions`);
    const jobs: BackchannelJob[] = [];
    await drainOutbox(shard, jobs);
    expect(jobs).toHaveLength(1);
    const workerEnv = env as unknown as Env;
    const targets = registryTargets(workerEnv, loadConfig(workerEnv));
    const audit = recordingQueue();
    for (const attempts of [1, 2, 3]) {
      const batch = batchOf(jobs as unknown as AuditMessage[], attempts, "authshard-logout");
      const delays: Array<number | undefined> = [];
      for (const message of batch.messages) {
        const retry = message.retry.bind(message);
        message.retry = (options) => {
          delays.push(options?.delaySeconds);
          retry(options);
        };
      }
      const ctx = createExecutionContext();
      const outcome = await deliverBackchannel(batch, { ...workerEnv, AUDIT_QUEUE: audit }, targets);
      const result = await getQueueResult(batch, ctx);
      if (attempts < 3) {
        expect(outcome).toMatchObject({ delivered: 0, retried: 1 });
        expect(result.retryMessages).toHaveLength(1);
        expect(delays).toEqual([retryDelayS(attempts)]); // 5 s, then 10 s
      } else {
        expect(outcome).toMatchObject({ delivered: 1, retried: 0 });
        expect(result.explicitAcks).toHaveLength(1);
      }
    }
    const got = await received(client.key);
    expect(got.map((g) => g.status)).toEqual([503, 503, 200]);
    expect(new Set(got.map((g) => decodeJwt(g.logout_token!).jti)).size).toBe(1);
    expect(audit.sent.flatMap((m) => m.events).map((e) => [e.type, e.client_id, e.data.attempts])).toEqual([["backchannel.delivered", client.clientId, 3]]);

    // The operator's delivery status reads those audit events from the window.
    await consumeAuditBatch(batchOf(audit.sent), workerEnv);
    const status = await json<{ delivered: number; failed: number; latest: Array<{ outcome: string; user_id: string; attempts: number; reason: string }> }>(
      await admin("GET", `/clients/${client.clientId}/logout-deliveries`),
    );
    expect(status).toMatchObject({ delivered: 1, failed: 0, latest: [{ outcome: "delivered", user_id: user.id, attempts: 3, reason: "logout" }] });
  });

  it("a receiver that always fails ends in the dead-letter queue, whose consumer records the failure; the user's logout stands", async () => {
    const user = await createUser();
    const client = await clientWithBackchannel("down");
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    const tokens = await signIn(user, new TestBrowser(), client);
    await drainOutbox(shard);
    await admin("DELETE", `/users/${user.id}/sessions`);
    const jobs: BackchannelJob[] = [];
    await drainOutbox(shard, jobs);
    const workerEnv = env as unknown as Env;
    const targets = registryTargets(workerEnv, loadConfig(workerEnv));
    const audit = recordingQueue();
    const last = await deliverBackchannel(batchOf(jobs as unknown as AuditMessage[], 6, "authshard-logout"), { ...workerEnv, AUDIT_QUEUE: audit }, targets);
    expect(last).toMatchObject({ delivered: 0, retried: 1 });
    const dead = batchOf(jobs as unknown as AuditMessage[], 1, "authshard-logout-dlq");
    const ctx = createExecutionContext();
    expect(await deliverBackchannel(dead, { ...workerEnv, AUDIT_QUEUE: audit }, targets, { deadLetter: true })).toMatchObject({ failed: 1 });
    expect((await getQueueResult(dead, ctx)).explicitAcks).toHaveLength(1);
    expect(audit.sent.flatMap((m) => m.events).map((e) => [e.type, e.client_id])).toEqual([["backchannel.failed", client.clientId]]);
    // The logout itself took effect at once: the session's access token is refused.
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });

  it("a client without a back-channel URI is skipped, not retried", async () => {
    const client = await registerClient("confidential");
    const job: BackchannelJob = { v: 1, event_id: crypto.randomUUID(), client_id: client.clientId, user_id: "u", sid: "s", reason: "logout", at: Date.now() };
    const workerEnv = env as unknown as Env;
    const outcome = await deliverBackchannel(batchOf([job] as unknown as AuditMessage[], 1, "authshard-logout"), workerEnv, registryTargets(workerEnv, loadConfig(workerEnv)));
    expect(outcome).toEqual({ delivered: 0, retried: 0, skipped: 1, failed: 0 });
  });

  it("discovery advertises back-channel logout with sid", async () => {
    const meta = await json<Record<string, unknown>>(await call("/.well-known/openid-configuration"));
    expect(meta).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });
});
