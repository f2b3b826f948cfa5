import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { issueCode } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { createUser, discover, REDIRECT_URI, registerClient, rp, signIn } from "../helpers/oidc";
import { boundTokens, dpopClient, expectTokenError, proof, proofKey, redeem, tokenWith, type TokenBody } from "./helpers";

/**
 * DPoP at the token endpoint (RFC 9449 §5, §6, §10), driven by oauth4webapi's DPoP
 * support where a client library would be used, and by hand-made proofs where the
 * point is what the provider refuses.
 */
describe("a DPoP client with oauth4webapi (RFC 9449 §5, §7)", () => {
  let as: oauth.AuthorizationServer;
  beforeAll(async () => {
    as = await discover();
  });

  it("discovery names the proof algorithms (§5.1)", () => {
    expect(as.dpop_signing_alg_values_supported).toEqual(["ES256", "RS256", "PS256", "EdDSA"]);
  });

  it("code → DPoP-bound tokens (§5, §6.1) → /userinfo with a proof (§7) → refresh with the same key (§5)", async () => {
    const registered = await registerClient("public");
    const client: oauth.Client = { client_id: registered.clientId };
    const dpop = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
    const verifier = oauth.generateRandomCodeVerifier();
    const callback = await signIn(
      new TestBrowser(),
      {
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        scope: "openid profile email offline_access",
        state: "s",
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        // §10: the code is bound to the key from the start.
        dpop_jkt: await dpop.calculateThumbprint(),
      },
      await createUser(),
    );
    const params = oauth.validateAuthResponse(as, client, callback, "s");
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, { ...rp, DPoP: dpop });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).toBe("dpop");
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: await dpop.calculateThumbprint() });

    const info = await oauth.userInfoRequest(as, client, tokens.access_token, { ...rp, DPoP: dpop });
    expect(info.status).toBe(200);
    expect(((await info.json()) as { sub: unknown }).sub).toBeTypeOf("string");

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { ...rp, DPoP: dpop }));
    expect(refreshed.token_type).toBe("dpop");
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt: await dpop.calculateThumbprint() });
  });
});

describe("binding at /token (RFC 9449 §5)", () => {
  it("a public client's refresh family is bound to the key: another key or no proof is refused, the same key works", async () => {
    const client = await dpopClient("public");
    const key = await proofKey();
    const tokens = await boundTokens(client, key);
    expect(tokens.token_type).toBe("DPoP");
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });

    const fields = { grant_type: "refresh_token", refresh_token: tokens.refresh_token! };
    await expectTokenError(await tokenWith(client, fields, await proof(await proofKey())), "invalid_grant");
    await expectTokenError(await tokenWith(client, fields, null), "invalid_grant");
    // Both refusals left the family as it was: the same token still rotates with the right key.
    const res = await tokenWith(client, fields, await proof(key));
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await json<TokenBody>(res)).token_type).toBe("DPoP");
  });

  it("a confidential client's refresh token is not bound (client authentication binds it): another key gets a token bound to that key", async () => {
    const client = await dpopClient("confidential");
    const tokens = await boundTokens(client, await proofKey());
    const other = await proofKey();
    const res = await tokenWith(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, await proof(other));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(decodeJwt((await json<TokenBody>(res)).access_token).cnf).toEqual({ jkt: other.jkt });
  });

  it("without a proof, tokens stay Bearer (DPoP is the client's choice unless registered otherwise)", async () => {
    const client = await dpopClient("public");
    const res = await redeem(client, await issueCode(client.clientId), null);
    const body = await json<TokenBody>(res);
    expect(body.token_type).toBe("Bearer");
    expect(decodeJwt(body.access_token).cnf).toBeUndefined();
  });

  it("dpop_bound_access_tokens (§5.2): the client's token requests without a proof are refused, and spend nothing", async () => {
    const client = await dpopClient("public", { dpop_bound_access_tokens: true });
    const issued = await issueCode(client.clientId);
    const refused = await expectTokenError(await redeem(client, issued, null), "invalid_dpop_proof");
    expect(refused.error_description).toContain("dpop_bound_access_tokens");
    // The code was not spent by the refusal.
    const res = await redeem(client, issued, await proof(await proofKey()));
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("a proof replayed at /token is refused (§11.1), and the refusal does not count as refresh-token reuse", async () => {
    const client = await dpopClient("public");
    const key = await proofKey();
    const tokens = await boundTokens(client, key);
    const used = await proof(key);
    const first = await tokenWith(client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, used);
    const next = (await json<TokenBody>(first)).refresh_token!;
    await expectTokenError(await tokenWith(client, { grant_type: "refresh_token", refresh_token: next }, used), "invalid_dpop_proof");
    const fresh = await tokenWith(client, { grant_type: "refresh_token", refresh_token: next }, await proof(key));
    expect(fresh.status, await fresh.clone().text()).toBe(200);
  });
});

describe("code binding with dpop_jkt (RFC 9449 §10)", () => {
  async function boundCode(jkt: string) {
    const client = await dpopClient("public");
    const issued = await issueCode(client.clientId, { extra: { dpop_jkt: jkt } });
    return { client, issued };
  }

  it("redeemed with a proof of that key only; a refused attempt leaves the code redeemable", async () => {
    const key = await proofKey();
    const { client, issued } = await boundCode(key.jkt);
    await expectTokenError(await redeem(client, issued, await proof(await proofKey())), "invalid_grant");
    await expectTokenError(await redeem(client, issued, null), "invalid_grant");
    const res = await redeem(client, issued, await proof(key));
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("a malformed dpop_jkt is an invalid_request sent back to the client", async () => {
    const client = await dpopClient("public");
    await expect(issueCode(client.clientId, { extra: { dpop_jkt: "not a thumbprint" } })).rejects.toThrow(/invalid_request/);
  });
});

describe("proofs refused at /token (RFC 9449 §4.3): 400 invalid_dpop_proof, the code left unspent", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string>]> = [
    ["another method (htm)", async () => proof(await proofKey(), { htm: "GET" })],
    ["another URL (htu)", async () => proof(await proofKey(), { htu: "https://evil.example/token" })],
    ["an iat outside the window (§11.1)", async () => proof(await proofKey(), { iat: now() - 600 })],
    ["an iat in the future", async () => proof(await proofKey(), { iat: now() + 600 })],
    ["typ JWT", async () => proof(await proofKey(), {}, { typ: "JWT" })],
    ["a signature by another key than the jwk", async () => proof(await proofKey(), {}, { jwk: (await proofKey()).jwk })],
    ["a private key in jwk", async () => {
      const key = await proofKey();
      const { exportJWK } = await import("jose");
      return proof(key, {}, { jwk: await exportJWK(key.pair.privateKey) });
    }],
    ["alg none", async () => {
      const h = btoa(JSON.stringify({ alg: "none", typ: "dpop+jwt", jwk: (await proofKey()).jwk })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      const p = btoa(JSON.stringify({ jti: "x", htm: "POST", htu: "http://127.0.0.1:8787/token", iat: now() })).replace(/=+$/, "");
      return `${h}.${p}.`;
    }],
    ["HS256 (symmetric)", async () => {
      const { SignJWT } = await import("jose");
      return new SignJWT({ jti: "x", htm: "POST", htu: "http://127.0.0.1:8787/token", iat: now() })
        // jose's types keep secret members out of a header; a hostile client is not bound by them.
        .setProtectedHeader({ alg: "HS256", typ: "dpop+jwt", jwk: { kty: "oct", k: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0" } } as never)
        .sign(new TextEncoder().encode("secretsecretsecretsecretsecret!!"));
    }],
    ["two proofs", async () => `${await proof(await proofKey())}, ${await proof(await proofKey())}`],
    ["no jti", async () => (await proof(await proofKey(), { jti: "" }))],
    ["not a JWT", async () => "garbage"],
  ];

  it.each(cases)("%s", async (_label, make) => {
    const client = await dpopClient("public");
    const issued = await issueCode(client.clientId);
    const body = await expectTokenError(await redeem(client, issued, await make()), "invalid_dpop_proof");
    expect(body.error_description).toMatch(/DPoP/);
    const res = await redeem(client, issued, await proof(await proofKey()));
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe("introspection and revocation of a bound token (RFC 9449 §6.2, RFC 7009)", () => {
  it("/introspect says token_type DPoP and cnf.jkt; /revoke takes it without a proof and it is dead after", async () => {
    const client = await dpopClient("confidential");
    const key = await proofKey();
    const tokens = await boundTokens(client, key);
    const [introspect, headers] = client.auth({ token: tokens.access_token });
    const form = (fields: Record<string, string>) => ({ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
    const before = await json<Record<string, unknown>>(await call("/introspect", form(introspect)));
    expect(before).toMatchObject({ active: true, token_type: "DPoP", cnf: { jkt: key.jkt } });
    // RFC 7009 §2.1: the revocation request is authenticated by the client; no proof is needed.
    expect((await call("/revoke", form(introspect))).status).toBe(200);
    expect(await json(await call("/introspect", form(introspect)))).toEqual({ active: false });
  });
});

describe("garbage in the DPoP header is a 4xx, never a 500 (RFC 9449 §4.3)", () => {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const headers = async (): Promise<string[]> => {
    const key = await proofKey();
    const rsa = await proofKey("RS256");
    return [
      "",
      "a.b.c",
      "e30.e30.e30",
      "x".repeat(10_000),
      `${b64({ alg: "ES256", typ: "dpop+jwt", jwk: { kty: "EC", crv: "P-384", x: "AA", y: "AA" } })}.${b64({})}.AAAA`,
      `${b64({ alg: "ES256", typ: "dpop+jwt", jwk: rsa.jwk })}.${b64({ jti: "j" })}.AAAA`,
      `${b64({ alg: "ES256", typ: "dpop+jwt", jwk: "not a key" })}.${b64({})}.AAAA`,
      `${b64({ alg: "ES256", typ: "dpop+jwt", jwk: key.jwk })}.bm90IGpzb24.AAAA`,
      `${b64({ alg: "ES256", typ: "dpop+jwt" })}.${b64({})}.AAAA`,
    ];
  };

  it("at /token: 400 invalid_dpop_proof for each", async () => {
    const client = await dpopClient("public");
    const issued = await issueCode(client.clientId);
    for (const header of await headers()) {
      const res = await redeem(client, issued, header);
      expect(res.status, header.slice(0, 80)).toBe(400);
      expect((await json<TokenBody>(res)).error).toBe("invalid_dpop_proof");
    }
  });

  it("at /userinfo: 401 invalid_dpop_proof for each", async () => {
    const key = await proofKey();
    const tokens = await boundTokens(await dpopClient("public"), key);
    for (const header of await headers()) {
      const res = await call("/userinfo", { headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: header } });
      expect(res.status, header.slice(0, 80)).toBe(401);
      expect((await json<TokenBody>(res)).error).toBe("invalid_dpop_proof");
    }
  });
});
