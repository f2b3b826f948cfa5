import { env } from "cloudflare:test";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { forgetKeys } from "../../src/router/keys/cache";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { json, ORIGIN } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { envWith, expectBackedOff, expectUnavailable, Outage, refreshHealthy, refreshWith, sender, unreachableActor } from "./outage";

/**
 * The key manager down (README "When a dependency fails"). Signing, verifying and the
 * JWKS work from the isolate's cached keys; past KEY_CACHE_TTL_MS they are refreshed
 * in the background, and an isolate signs with keys it fetched at most
 * KEY_CACHE_TTL_MS + KEY_STALE_SIGNING_S ago — the key manager keeps retired keys
 * published that long, so everything signed stays verifiable.
 */

type Tokens = { access_token: string; refresh_token: string; id_token: string };
let client: { clientId: string; secret?: string | undefined };

beforeAll(async () => {
  client = await registerClient("confidential");
});

afterEach(() => forgetKeys());

async function signedIn(): Promise<Tokens> {
  const issued = await issueCode(client.clientId);
  const res = await tokenRequest(redeemFields(issued), basic(client.clientId, client.secret!));
  expect(res.status).toBe(200);
  return json<Tokens>(res);
}

function keyManagerDown(outage: Outage, extra: Parameters<typeof envWith>[0] = {}) {
  return envWith({ KEY_MANAGER: unreachableActor(env.KEY_MANAGER, outage), ...extra });
}

describe("key manager unavailable", () => {
  it("a warm isolate signs a whole new sign-in with its cached keys, and relying parties verify it against the JWKS it serves", async () => {
    const before = await signedIn(); // this isolate now holds the keys
    const outage = new Outage();
    // KEY_CACHE_TTL_MS=0: the held keys are past their TTL for every request.
    const down = keyManagerDown(outage, { KEY_CACHE_TTL_MS: "0" });
    const send = sender(down);
    const started = Date.now();

    // authorize → login → consent (each form a signed interaction) → code → tokens.
    const issued = await issueCode(client.clientId, { browser: new TestBrowser(send) });
    const res = await send("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.secret!) },
      body: new URLSearchParams(redeemFields(issued)).toString(),
    });
    expect(res.status).toBe(200);
    const tokens = await json<Tokens>(res);
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(decodeProtectedHeader(before.access_token).kid);

    const jwksResponse = await send("/jwks.json");
    expect(jwksResponse.status).toBe(200);
    const jwks = createLocalJWKSet(await json<JSONWebKeySet>(jwksResponse));
    await expect(jwtVerify(tokens.id_token, jwks, { issuer: ORIGIN, audience: client.clientId })).resolves.toBeTruthy();
    await expect(jwtVerify(tokens.access_token, jwks, { issuer: ORIGIN, typ: "at+jwt" })).resolves.toBeTruthy();
    expect((await send("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    expect((await refreshWith(down, client, tokens.refresh_token)).status).toBe(200);

    // Every one of those requests (about ten) found the keys expired; the background refreshes failed, and backed off.
    await vi.waitFor(() => expect(outage.calls).toBeGreaterThanOrEqual(1), { timeout: 2_000, interval: 10 });
    expectBackedOff(outage, started, 10);
  });

  it("past KEY_STALE_SIGNING_S the isolate stops signing (503, nothing spent) but still verifies", async () => {
    const tokens = await signedIn();
    // No allowance: keys past their TTL are too old to sign with.
    const down = keyManagerDown(new Outage(), { KEY_CACHE_TTL_MS: "0", KEY_STALE_SIGNING_S: "0" });
    await expectUnavailable(await refreshWith(down, client, tokens.refresh_token));
    expect((await sender(down)("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    // The refresh was refused before the shard rotated anything: the same token works once keys can be had.
    forgetKeys();
    expect((await refreshHealthy(client, tokens.refresh_token)).status).toBe(200);
  });

  it("a cold isolate with no keys answers 503 temporarily_unavailable with Retry-After, never 500, and spends no token", async () => {
    const tokens = await signedIn();
    forgetKeys(); // a new isolate
    const outage = new Outage();
    const down = keyManagerDown(outage);
    const refused = await refreshWith(down, client, tokens.refresh_token);
    await expectUnavailable(refused);
    await expectUnavailable(await sender(down)("/jwks.json"));
    expect(outage.calls).toBeGreaterThanOrEqual(1);

    // The key manager is back; a client honouring Retry-After gets its tokens with the same refresh token.
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get("Retry-After")) * 1000));
    expect((await refreshHealthy(client, tokens.refresh_token)).status).toBe(200);
  });
});
