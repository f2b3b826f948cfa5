import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { sha256 } from "../../src/oauth/secrets";
import { app } from "../../src/router/app";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import type { UserShardActor } from "../../src/actors/user-shard/actor";
import { TestBrowser } from "../helpers/browser";
import { basic, tokenRequest } from "../helpers/codes";
import { json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { rowsIn } from "../helpers/shards";
import { DEVICE_GRANT, deviceClient, form, startDevice, visitAndDecide } from "../device/helpers";
import { boundTokens, dpopClient, expectTokenError, proof, proofKey, userinfo, userinfoProof, type TokenBody } from "./helpers";
import { shardOfBucket } from "./shard";

const subOf = (jwt: string) => decodeJwt(jwt).sub as string;

describe("every proof algorithm discovery names is accepted (RFC 9449 §5.1)", () => {
  it.each(["ES256", "RS256", "PS256", "EdDSA"])("%s: bound tokens, and /userinfo with a proof", async (alg) => {
    const key = await proofKey(alg);
    const tokens = await boundTokens(await dpopClient("public"), key);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    const res = await userinfo(tokens.access_token, await userinfoProof(key, tokens.access_token));
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe("DPoP with the other grants (RFC 9449 §5)", () => {
  it("device code (RFC 8628): a public client's tokens and refresh family are bound to the polling key", async () => {
    const client = await deviceClient("public");
    const auth = await startDevice(client);
    await visitAndDecide(new TestBrowser(), auth, await createUser(), "allow");
    const key = await proofKey();
    const init = form(client, { grant_type: DEVICE_GRANT, device_code: auth.device_code });
    const res = await tokenRequest(Object.fromEntries(new URLSearchParams(init.body as string)), { DPoP: await proof(key) });
    const tokens = await json<TokenBody>(res);
    expect(tokens.token_type).toBe("DPoP");
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
    const fields = { grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: client.clientId };
    await expectTokenError(await tokenRequest(fields, { DPoP: await proof(await proofKey()) }), "invalid_grant");
    expect((await tokenRequest(fields, { DPoP: await proof(key) })).status).toBe(200);
  });

  it("client_credentials: the client's own token is bound too", async () => {
    const { clientId, secret } = await registerClient("confidential", { grant_types: ["client_credentials"], scope: "api.read" });
    const key = await proofKey();
    const res = await tokenRequest({ grant_type: "client_credentials" }, { ...basic(clientId, secret!), DPoP: await proof(key) });
    const body = await json<TokenBody>(res);
    expect(body.token_type).toBe("DPoP");
    expect(decodeJwt(body.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it("client_credentials: 10 concurrent requests with one proof, exactly one gets a token (§11.1); a fresh proof works", async () => {
    const { clientId, secret } = await registerClient("confidential", { grant_types: ["client_credentials"], scope: "api.read" });
    const key = await proofKey();
    const shared = await proof(key);
    const raced = await Promise.all(Array.from({ length: 10 }, () => tokenRequest({ grant_type: "client_credentials" }, { ...basic(clientId, secret!), DPoP: shared })));
    expect(raced.filter((r) => r.status === 200)).toHaveLength(1);
    for (const res of raced.filter((r) => r.status !== 200)) {
      expect(res.status).toBe(400);
      expect(await json<TokenBody>(res)).toMatchObject({ error: "invalid_dpop_proof", error_description: "DPoP proof jti already used" });
    }
    expect((await tokenRequest({ grant_type: "client_credentials" }, { ...basic(clientId, secret!), DPoP: await proof(key) })).status).toBe(200);
  });
});

describe("what DPoP costs and where its state lives (DESIGN.md hot-path budget)", () => {
  async function measured(path: string, init: RequestInit): Promise<{ status: number; doubles: number[] }> {
    const points: AnalyticsEngineDataPoint[] = [];
    const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
    const res = await app.fetch(new Request(new URL(path, ORIGIN), init), workerEnv, createExecutionContext());
    expect(points).toHaveLength(1);
    return { status: res.status, doubles: points[0]!.doubles!.slice(2) };
  }

  it("a DPoP refresh and a DPoP /userinfo are one actor call each and no D1 statement", async () => {
    const client = await dpopClient("public");
    const key = await proofKey();
    const tokens = await boundTokens(client, key);
    const refresh = await measured("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", DPoP: await proof(key) },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: client.clientId }).toString(),
    });
    expect(refresh).toEqual({ status: 200, doubles: [1, 0, 0] }); // actor calls, D1 statements, shard retries
    const info = await measured("/userinfo", { headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: await userinfoProof(key, tokens.access_token) } });
    expect(info).toEqual({ status: 200, doubles: [1, 0, 0] });
  });

  it("a used proof is a row in the user's bucket, keyed by the jti's hash, until the sweep after its iat window", async () => {
    const key = await proofKey();
    const tokens = await boundTokens(await dpopClient("public"), key);
    const jti = crypto.randomUUID();
    expect((await userinfo(tokens.access_token, await userinfoProof(key, tokens.access_token, { jti }))).status).toBe(200);
    const bucket = bucketOf(subOf(tokens.access_token));
    const shard = await shardOfBucket(bucket);
    const hash = await sha256(jti);
    const [row] = await rowsIn(shard, "dpop_proofs", "jti_hash = ?", hash);
    expect(row).toMatchObject({ bucket });
    expect(JSON.stringify(await rowsIn(shard, "dpop_proofs", "bucket = ?", bucket))).not.toContain(jti);
    await runInDurableObject(stubFor(env, shard) as DurableObjectStub<UserShardActor>, (instance, state) => {
      state.storage.sql.exec("UPDATE dpop_proofs SET expires_at = ? WHERE jti_hash = ?", Date.now() - 1000, hash);
      instance.sweep();
    });
    expect(await rowsIn(shard, "dpop_proofs", "jti_hash = ?", hash)).toEqual([]);
  });
});
