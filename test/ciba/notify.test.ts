import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { Env } from "../../src/env";
import { deliverCibaBatch } from "../../src/router/ciba/deliver";
import { recordingQueue } from "../helpers/audit";
import { rowsIn } from "../helpers/shards";
import { accessTokenHash } from "../../src/oauth/claims";
import { stubFor } from "../../src/shard/stub";
import { TestBrowser } from "../helpers/browser";
import { call, json, ORIGIN } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import {
  approvalLinkFor,
  approveAs,
  cibaClient,
  editCibaRow,
  form,
  notificationTokenOf,
  poll,
  pollError,
  runShardAlarm,
  shardOfUser,
  startCiba,
  waitForReceived,
} from "./helpers";

const AUTH_REQ_ID_CLAIM = "urn:openid:params:jwt:claim:auth_req_id";

async function verifyIdToken(token: string, audience: string) {
  const jwks = await json<JSONWebKeySet>(await call("/jwks.json"));
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ORIGIN, audience });
}

/** OpenID CIBA Core 1.0: ping (§10.2) and push (§10.3, §12) through the notify queue to the client's endpoint. */
describe("CIBA ping and push", () => {
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    user = await createUser();
  });

  it("ping: approval → {auth_req_id} POSTed with the client's bearer token, then /token gives the tokens (§10.2)", async () => {
    const client = await cibaClient("ping");
    const started = await startCiba(client, { login_hint: user.email, binding_message: "ping me" });
    expect(started.interval).toBe(5);
    expect(await pollError(client, started.auth_req_id)).toBe("authorization_pending");

    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    await runShardAlarm(user.id);
    const got = await waitForReceived(client.key, 1);
    expect(got).toHaveLength(1);
    expect(got[0]!.authorization).toBe(`Bearer ${notificationTokenOf(client)}`);
    expect(got[0]!.contentType).toMatch(/^application\/json/);
    expect(got[0]!.body).toEqual({ auth_req_id: started.auth_req_id });

    const res = await poll(client, started.auth_req_id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(decodeJwt((await json<{ access_token: string }>(res)).access_token).sub).toBe(user.id);
  });

  it("ping: denial is pinged too, and the poll answers access_denied (§10.2, §11)", async () => {
    const client = await cibaClient("ping");
    const started = await startCiba(client, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "deny");
    await runShardAlarm(user.id);
    const got = await waitForReceived(client.key, 1);
    expect(got.map((g) => g.body)).toEqual([{ auth_req_id: started.auth_req_id }]);
    expect(await pollError(client, started.auth_req_id)).toBe("access_denied");
  });

  it("push: the tokens are POSTed once, the ID token verifies with our JWKS and names the request (§10.3.1)", async () => {
    const client = await cibaClient("push");
    const started = await startCiba(client, { login_hint: user.email });
    // §7.3: no interval for push, and §10.1: a push client may not poll.
    expect(started.interval).toBeUndefined();
    const polled = await poll(client, started.auth_req_id);
    expect(polled.status).toBe(400);
    expect((await json(polled)).error).toBe("unauthorized_client");

    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    await runShardAlarm(user.id);
    const got = await waitForReceived(client.key, 1);
    expect(got).toHaveLength(1);
    expect(got[0]!.authorization).toBe(`Bearer ${notificationTokenOf(client)}`);
    const body = got[0]!.body as { auth_req_id: string; access_token: string; id_token: string; refresh_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ auth_req_id: started.auth_req_id, token_type: "Bearer" });
    const { payload } = await verifyIdToken(body.id_token, client.clientId);
    expect(payload.sub).toBe(user.id);
    expect(payload[AUTH_REQ_ID_CLAIM]).toBe(started.auth_req_id);
    expect(payload.at_hash).toBe(await accessTokenHash(body.access_token));
    expect(payload.rt_hash).toBe(await accessTokenHash(body.refresh_token));

    // The pushed tokens are live: /userinfo, and the refresh token rotates.
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${body.access_token}` } })).status).toBe(200);
    const refreshed = await call("/token", form(client, { grant_type: "refresh_token", refresh_token: body.refresh_token }));
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);

    // Nothing more arrives: one token set per request.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await waitForReceived(client.key, 2, 500)).toHaveLength(1);
  });

  it("push: a redelivered job signs and sends nothing twice (the shard redeemed the request in the first delivery's call)", async () => {
    const client = await cibaClient("push");
    await startCiba(client, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    await runShardAlarm(user.id);
    expect(await waitForReceived(client.key, 1)).toHaveLength(1);
    // The queue hands the same client job over again (at-least-once delivery), twice.
    const [row] = await rowsIn(await shardOfUser(user.id), "ciba_requests", "client_id = ?", client.clientId);
    const job = { v: 1, kind: "client", mode: "push", event_id: "redelivered", client_id: client.clientId, request_id: row!.request_id, bucket: row!.bucket };
    const pushed = recordingQueue();
    for (const attempt of [2, 3]) {
      const batch = createMessageBatch("authshard-notify", [{ id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: job }]);
      await deliverCibaBatch(batch, { ...(env as unknown as Env), NOTIFY_QUEUE: pushed as unknown as Env["NOTIFY_QUEUE"] });
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual([`m${attempt}`]);
    }
    expect(pushed.sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitForReceived(client.key, 2, 500)).toHaveLength(1);
  });

  it("push: a receiver that fails first gets the same tokens on the retry (signed once) (§10.3)", async () => {
    const client = await cibaClient("push", "flaky-json-1");
    await startCiba(client, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "allow");
    await runShardAlarm(user.id);
    const got = await waitForReceived(client.key, 2, 25_000);
    expect(got.map((g) => g.status)).toEqual([503, 204]);
    expect(got[1]!.body).toEqual(got[0]!.body);
  });

  it("push: denial and expiry are pushed as errors (§12)", async () => {
    const denied = await cibaClient("push");
    const one = await startCiba(denied, { login_hint: user.email });
    await approveAs(new TestBrowser(), await approvalLinkFor(user.id), user, "deny");
    await runShardAlarm(user.id);
    const gotDenied = await waitForReceived(denied.key, 1);
    expect(gotDenied[0]!.body).toMatchObject({ auth_req_id: one.auth_req_id, error: "access_denied" });

    const expiring = await cibaClient("push");
    const two = await startCiba(expiring, { login_hint: user.email });
    await editCibaRow(user.id, two.auth_req_id, "expires_at = ?", Date.now() - 1);
    // The shard's sweep marks it expired (ciba.expired); the flush it schedules sends the job.
    await stubFor(env, await shardOfUser(user.id)).sweep();
    await runShardAlarm(user.id);
    const gotExpired = await waitForReceived(expiring.key, 1);
    expect(gotExpired[0]!.body).toMatchObject({ auth_req_id: two.auth_req_id, error: "expired_token" });
    expect(gotExpired[0]!.authorization).toBe(`Bearer ${notificationTokenOf(expiring)}`);
  });
});
