import { env } from "cloudflare:workers";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { ConfigError, parseConfig } from "../../src/config";
import { app } from "../../src/router/app";
import { issueCode, redeemFields } from "../helpers/codes";
import { TestBrowser } from "../helpers/browser";
import { createUser, REDIRECT_URI, signIn } from "../helpers/oidc";
import { json, ORIGIN } from "../helpers/http";
import { discover } from "../helpers/oidc";
import { dpopClient, expectDpopChallenge, proof, proofKey, userinfoProof, type TokenBody } from "./helpers";

/**
 * Server-provided nonces (RFC 9449 §8 at /token, §9 at a resource), here with
 * DPOP_NONCE=all: a proof without a current nonce is answered with use_dpop_nonce
 * and a fresh DPoP-Nonce, and the retry with that nonce succeeds.
 */
const SECRET = "dpop-nonce-test-secret-0123456789abcdef";
const nonceEnv = (mode: string): Env => ({ ...(env as unknown as Env), DPOP_NONCE: mode, DPOP_NONCE_SECRET: SECRET });

function send(workerEnv: Env, path: string, init: RequestInit): Promise<Response> {
  return Promise.resolve(app.request(new URL(path, ORIGIN).href, { redirect: "manual", ...init }, workerEnv));
}

const form = (fields: Record<string, string>, dpop: string) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", DPoP: dpop },
  body: new URLSearchParams(fields).toString(),
});

describe("DPoP-Nonce at /token (RFC 9449 §8)", () => {
  it("without a nonce: 400 use_dpop_nonce with a DPoP-Nonce, the code unspent; the retry with it succeeds", async () => {
    const workerEnv = nonceEnv("token");
    const client = await dpopClient("public");
    const issued = await issueCode(client.clientId);
    const fields = { ...redeemFields(issued), client_id: client.clientId };
    const key = await proofKey();
    const first = await send(workerEnv, "/token", form(fields, await proof(key)));
    expect(first.status).toBe(400);
    expect((await json<TokenBody>(first)).error).toBe("use_dpop_nonce");
    const nonce = first.headers.get("DPoP-Nonce");
    expect(nonce).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);

    const forged = await send(workerEnv, "/token", form(fields, await proof(key, { nonce: `${nonce!.split(".")[0]}.AAAAAAAAAAAAAAAAAAAAAAAA` })));
    expect((await json<TokenBody>(forged)).error).toBe("use_dpop_nonce");

    const retry = await send(workerEnv, "/token", form(fields, await proof(key, { nonce: nonce! })));
    expect(retry.status, await retry.clone().text()).toBe(200);
    expect((await json<TokenBody>(retry)).token_type).toBe("DPoP");
    // §8.2: the provider keeps handing out the current nonce.
    expect(retry.headers.get("DPoP-Nonce")).toBe(nonce);
  });

  it("oauth4webapi sees isDPoPNonceError, and its retry carries the nonce it was given", async () => {
    const workerEnv = nonceEnv("all");
    const rpWith = {
      [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => send(workerEnv, url, options as RequestInit),
      [oauth.allowInsecureRequests]: true,
    } as const;
    const as = await discover();
    const registered = await dpopClient("public");
    const client: oauth.Client = { client_id: registered.clientId };
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
    const verifier = oauth.generateRandomCodeVerifier();
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const authorize = { client_id: client.client_id, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s", code_challenge: challenge, code_challenge_method: "S256" };
    const callback = oauth.validateAuthResponse(as, client, await signIn(new TestBrowser(), authorize, await createUser()), "s");

    const redeem = async () => {
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT_URI, verifier, { ...rpWith, DPoP: dpop });
      return oauth.processAuthorizationCodeResponse(as, client, response);
    };
    const error = await redeem().catch((e: unknown) => e);
    expect(oauth.isDPoPNonceError(error), String(error)).toBe(true);
    const tokens = await redeem();
    expect(tokens.token_type).toBe("dpop");

    // §9: /userinfo needs the nonce too (DPOP_NONCE=all); the handle already holds the current one.
    const info = await oauth.userInfoRequest(as, client, tokens.access_token, { ...rpWith, DPoP: dpop });
    expect(info.status, await info.clone().text()).toBe(200);
  });
});

describe("DPoP-Nonce at /userinfo (RFC 9449 §9)", () => {
  it("DPOP_NONCE=all: 401 with a use_dpop_nonce challenge and a DPoP-Nonce; the retry with it succeeds", async () => {
    const workerEnv = nonceEnv("all");
    const client = await dpopClient("public");
    const key = await proofKey();
    const issued = await issueCode(client.clientId);
    const fields = { ...redeemFields(issued), client_id: client.clientId };
    const nonce = (await send(workerEnv, "/token", form(fields, await proof(key)))).headers.get("DPoP-Nonce")!;
    const tokens = await json<TokenBody>(await send(workerEnv, "/token", form(fields, await proof(key, { nonce }))));

    const headers = async (claims = {}) => ({ Authorization: `DPoP ${tokens.access_token}`, DPoP: await userinfoProof(key, tokens.access_token, claims) });
    const first = await send(workerEnv, "/userinfo", { headers: await headers() });
    await expectDpopChallenge(first, "use_dpop_nonce");
    expect(first.headers.get("DPoP-Nonce")).toBe(nonce);
    const retry = await send(workerEnv, "/userinfo", { headers: await headers({ nonce }) });
    expect(retry.status, await retry.clone().text()).toBe(200);
  });

  it("DPOP_NONCE=token: /userinfo takes a proof without a nonce", async () => {
    const workerEnv = nonceEnv("token");
    const client = await dpopClient("public");
    const key = await proofKey();
    const fields = { ...redeemFields(await issueCode(client.clientId)), client_id: client.clientId };
    const nonce = (await send(workerEnv, "/token", form(fields, await proof(key)))).headers.get("DPoP-Nonce")!;
    const tokens = await json<TokenBody>(await send(workerEnv, "/token", form(fields, await proof(key, { nonce }))));
    const res = await send(workerEnv, "/userinfo", { headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: await userinfoProof(key, tokens.access_token) } });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe("DPoP configuration", () => {
  const base = { ISSUER: "https://id.example.com" };
  it("DPOP_NONCE is off by default; token or all need a DPOP_NONCE_SECRET of 32 characters or more", () => {
    expect(parseConfig(base)).toMatchObject({ dpopNonce: "off", dpopNonceSecret: null, dpopIatWindowS: 60 });
    expect(() => parseConfig({ ...base, DPOP_NONCE: "token" })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, DPOP_NONCE: "all", DPOP_NONCE_SECRET: "short" })).toThrow(/DPOP_NONCE_SECRET/);
    expect(() => parseConfig({ ...base, DPOP_NONCE: "sometimes" })).toThrow(/DPOP_NONCE/);
    expect(() => parseConfig({ ...base, DPOP_IAT_WINDOW_S: "0" })).toThrow(/DPOP_IAT_WINDOW_S/);
    expect(parseConfig({ ...base, DPOP_NONCE: "all", DPOP_NONCE_SECRET: SECRET, DPOP_IAT_WINDOW_S: "120" })).toMatchObject({ dpopNonce: "all", dpopIatWindowS: 120 });
  });
});
