import * as oauth from "oauth4webapi";
import { describe, expect, it, vi } from "vitest";
import { basic, tokenRequest } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { discover, registerClient, rp } from "../helpers/oidc";
import { clientAssertion, jwksHits, keyClient, keyPair, serveJwks, signed, tokenWithAssertion, CLIENT_ASSERTION_TYPE } from "./helpers";

async function refusal(res: Response): Promise<{ status: number; error: string; description: string }> {
  const body = await json<{ error: string; error_description: string }>(res);
  return { status: res.status, error: body.error, description: body.error_description };
}

/** private_key_jwt client authentication (RFC 7523 §2.2, §3; OIDC Core §9; RFC 7521 §4.2). */
describe("private_key_jwt", () => {
  it("OIDC Core §9: oauth4webapi's PrivateKeyJwt authenticates a client_credentials request", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const as = await discover();
    const client: oauth.Client = { client_id: clientId };
    const auth = oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid });
    const res = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: "reports:read" }), rp);
    const tokens = await oauth.processClientCredentialsResponse(as, client, res);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.scope).toBe("reports:read");
  });

  it("RFC 7523 §3: a hand-built assertion with the token endpoint as aud works; so do PS256, RS256 and EdDSA keys", async () => {
    for (const alg of ["ES256", "PS256", "RS256", "EdDSA"]) {
      const key = await keyPair(alg);
      const clientId = await keyClient([key]);
      const res = await tokenWithAssertion(await clientAssertion(key, clientId, { aud: `${ORIGIN}/token` }));
      expect(res.status, `${alg}: ${await res.clone().text()}`).toBe(200);
    }
  });

  it("RFC 7523 §3 item 7: of 10 concurrent requests with the same assertion exactly one authenticates", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const assertion = await clientAssertion(key, clientId);
    const results = await Promise.all(Array.from({ length: 10 }, () => tokenWithAssertion(assertion)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(401)]);
    const refused = await refusal(results.find((r) => r.status === 401)!);
    expect(refused.error).toBe("invalid_client");
    expect(refused.description).toContain("already used");
  });

  it.each([
    ["a wrong aud", { aud: "https://elsewhere.example" }, "aud"],
    ["an expired exp", { exp: Math.floor(Date.now() / 1000) - 120 }, "expired"],
    ["an exp more than 5 minutes ahead", { exp: Math.floor(Date.now() / 1000) + 3600 }, "more than 300 s ahead"],
    ["no jti", { jti: undefined }, "jti"],
    ["no exp", { exp: undefined }, "exp"],
    ["an iat in the future", { iat: Math.floor(Date.now() / 1000) + 600 }, "iat"],
    ["an nbf in the future", { nbf: Math.floor(Date.now() / 1000) + 600 }, "nbf"],
  ])("RFC 7523 §3: an assertion with %s is invalid_client (401), and spends nothing", async (_label, claims, said) => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const jti = crypto.randomUUID();
    const res = await tokenWithAssertion(await clientAssertion(key, clientId, { jti, ...claims }));
    const refused = await refusal(res);
    expect(refused.status).toBe(401);
    expect(refused.error).toBe("invalid_client");
    expect(refused.description).toContain(said);
    // The refusal spent nothing: a good assertion with the same jti still works.
    expect((await tokenWithAssertion(await clientAssertion(key, clientId, { jti }))).status).toBe(200);
  });

  it("RFC 7523 §3 items 1-2: iss and sub must both be the client_id", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const other = await keyClient([key]);
    for (const claims of [{ sub: other }, { iss: other }]) {
      const res = await tokenWithAssertion(await clientAssertion(key, clientId, claims));
      expect(res.status).toBe(401);
      expect((await refusal(res)).error).toBe("invalid_client");
    }
    // client_id beside the assertion must name the same client (RFC 7521 §4.2).
    const res = await tokenWithAssertion(await clientAssertion(key, clientId), { client_id: other });
    expect(await refusal(res)).toMatchObject({ status: 400, error: "invalid_request" });
  });

  it("a key the client did not register (unknown kid, or a right kid with another key) is refused without telling which", async () => {
    const key = await keyPair();
    const stranger = await keyPair();
    const clientId = await keyClient([key]);
    for (const assertion of [await clientAssertion(stranger, clientId), await signed({ ...stranger, kid: key.kid }, { iss: clientId, sub: clientId, aud: ORIGIN })]) {
      const refused = await refusal(await tokenWithAssertion(assertion));
      expect(refused).toMatchObject({ status: 401, error: "invalid_client" });
      expect(refused.description).toContain("client authentication failed");
    }
  });

  it("an HS256 or alg none assertion is refused; so is an alg the client did not register for", async () => {
    const key = await keyPair("RS256");
    const clientId = await keyClient([key], { token_endpoint_auth_signing_alg: "PS256" });
    const refused = await refusal(await tokenWithAssertion(await clientAssertion(key, clientId)));
    expect(refused).toMatchObject({ status: 401, error: "invalid_client" });
    expect(refused.description).toContain("PS256");
    const unsigned = `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify({ iss: clientId, sub: clientId, aud: ORIGIN, exp: 9e9, jti: "x" }))}.`.replace(/=/g, "");
    expect((await tokenWithAssertion(unsigned)).status).toBe(401);
  });

  it("keys by reference (jwks_uri): fetched, cached, and a new kid after rotation is picked up by one refetch", async () => {
    const uriKey = crypto.randomUUID();
    const first = await keyPair();
    const clientId = await keyClient([], { jwks_uri: await serveJwks(uriKey, [first]) });
    expect((await tokenWithAssertion(await clientAssertion(first, clientId))).status).toBe(200);
    expect((await tokenWithAssertion(await clientAssertion(first, clientId))).status).toBe(200);
    expect(await jwksHits(uriKey)).toBe(1);

    // Rotation: the client publishes a new key and signs with it at once.
    const second = await keyPair();
    await serveJwks(uriKey, [second]);
    // Within the refetch interval a new kid is not fetched for (a stream of bad kids cannot hammer the URI)...
    expect((await tokenWithAssertion(await clientAssertion(second, clientId))).status).toBe(401);
    expect(await jwksHits(uriKey)).toBe(1);
    // ...once it has passed, the unknown kid refetches the set once, and the new key works.
    vi.setSystemTime(Date.now() + 31_000);
    try {
      expect((await tokenWithAssertion(await clientAssertion(second, clientId))).status).toBe(200);
      expect((await tokenWithAssertion(await clientAssertion(second, clientId))).status).toBe(200);
      expect(await jwksHits(uriKey)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a jwks_uri that cannot be fetched refuses the assertion (401), never a 500, and is not fetched again per request", async () => {
    const key = await keyPair();
    const uriKey = crypto.randomUUID();
    const clientId = await keyClient([], { jwks_uri: `https://rp.example/jwks/${uriKey}` });
    expect(await refusal(await tokenWithAssertion(await clientAssertion(key, clientId)))).toMatchObject({ status: 401, error: "invalid_client" });
    expect(await refusal(await tokenWithAssertion(await clientAssertion(key, clientId)))).toMatchObject({ status: 401, error: "invalid_client" });
    expect(await jwksHits(uriKey)).toBe(1);
  });

  it("a client registered for a secret cannot use an assertion, and a private_key_jwt client cannot use a secret", async () => {
    const key = await keyPair();
    const { clientId, secret } = await registerClient("confidential", { grant_types: ["client_credentials"], scope: "reports:read", jwks: { keys: [key.publicJwk] } });
    expect((await tokenWithAssertion(await clientAssertion(key, clientId))).status).toBe(401);
    const keyOnly = await keyClient([key]);
    const res = await tokenRequest({ grant_type: "client_credentials" }, basic(keyOnly, secret!));
    expect(res.status).toBe(401);
  });

  it("RFC 7521 §4.2: an assertion with a Basic header or a client_secret is invalid_request; a wrong assertion type is invalid_client", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const assertion = await clientAssertion(key, clientId);
    expect((await tokenWithAssertion(assertion, { client_secret: "x" })).status).toBe(400);
    const other = await tokenRequest({ grant_type: "client_credentials", client_assertion_type: "urn:example:saml", client_assertion: assertion });
    expect(await refusal(other)).toMatchObject({ status: 401, error: "invalid_client" });
    // Nothing was spent by the refused requests: the assertion still works.
    expect((await tokenWithAssertion(assertion)).status).toBe(200);
  });

  it("works at /introspect and /revoke with the endpoint's own URL as aud", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const token = (await json<{ access_token: string }>(await tokenWithAssertion(await clientAssertion(key, clientId)))).access_token;
    const introspect = await call("/introspect", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId, { aud: `${ORIGIN}/introspect` }) }),
    });
    expect(introspect.status, await introspect.clone().text()).toBe(200);
    const revoke = await call("/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      // Authentication passed when the answer is about the token (RFC 7009 §2.2: an unknown one is 200).
      body: new URLSearchParams({ token: "not-a-token", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId, { aud: `${ORIGIN}/revoke` }) }),
    });
    expect(revoke.status, await revoke.clone().text()).toBe(200);
  });
});

/** RFC 6749 §2.3.1: a secret is one credential whether it comes in the header or the body. */
describe("secret clients: basic and post are both accepted", () => {
  it("a client registered for client_secret_basic may send its secret in the body, and vice versa", async () => {
    for (const method of ["client_secret_basic", "client_secret_post"]) {
      const { clientId, secret } = await registerClient("confidential", { grant_types: ["client_credentials"], scope: "reports:read", token_endpoint_auth_method: method });
      const post = await tokenRequest({ grant_type: "client_credentials", client_id: clientId, client_secret: secret! });
      expect(post.status, `${method} via post`).toBe(200);
      const viaBasic = await tokenRequest({ grant_type: "client_credentials" }, basic(clientId, secret!));
      expect(viaBasic.status, `${method} via basic`).toBe(200);
      expect((await tokenRequest({ grant_type: "client_credentials", client_id: clientId, client_secret: "wrong-secret" })).status).toBe(401);
    }
  });
});

