import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser, redirectParams } from "../helpers/browser";
import { tokenRequest } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient, signIn } from "../helpers/oidc";
import { CLIENT_ASSERTION_TYPE, clientAssertion, keyPair, signed, type KeyPair } from "./helpers";

/** JWT-secured authorization requests, by value (RFC 9101). */
describe("request objects (RFC 9101)", () => {
  let key: KeyPair;
  let clientId: string;
  let strictId: string;

  beforeAll(async () => {
    key = await keyPair();
    const registration = { token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] }, grant_types: ["authorization_code"], scope: "openid profile email" };
    clientId = (await registerClient("confidential", registration)).clientId;
    strictId = (await registerClient("confidential", { ...registration, require_signed_request_object: true })).clientId;
  });

  const requestObject = (claims: Record<string, unknown> = {}, signer: KeyPair = key, header: Record<string, unknown> = {}) =>
    signed(signer, { iss: clientId, aud: ORIGIN, client_id: clientId, response_type: "code", redirect_uri: REDIRECT_URI, scope: "openid profile", state: "from-object", ...claims }, { typ: "oauth-authz-req+jwt", ...header });

  /** The error a refused request object gets at the redirect URI, with the state it carried (§6.3). */
  async function redirectedError(query: Record<string, string>): Promise<URLSearchParams> {
    const res = await call(authorizeUrl(query));
    expect(res.status, await res.clone().text()).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    return location.searchParams;
  }

  it("§6: a signed request object is accepted; the code it yields is redeemed with private_key_jwt", async () => {
    const user = await createUser();
    const verifier = oauth.generateRandomCodeVerifier();
    const jwt = await requestObject({ nonce: "n-1", code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" });
    const response = await signIn(new TestBrowser(), { client_id: clientId, response_type: "code", request: jwt }, user);
    expect(response.get("state")).toBe("from-object");
    const code = response.get("code")!;
    expect(code).toBeTruthy();
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await clientAssertion(key, clientId),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const tokens = await json<{ id_token: string; scope: string }>(res);
    expect(decodeJwt(tokens.id_token).nonce).toBe("n-1");
    expect(tokens.scope).toBe("openid profile");
  });

  it("§6.3: only the object's parameters are used: the query's scope, state and prompt are ignored", async () => {
    const errorParams = await redirectedError({ client_id: clientId, response_type: "code", request: await requestObject({ prompt: "none" }), prompt: "login", state: "from-query", scope: "openid email" });
    // prompt=none from the object (not the query's login): no session → login_required, with the object's state.
    expect(errorParams.get("error")).toBe("login_required");
    expect(errorParams.get("state")).toBe("from-object");
  });

  it.each([
    ["an unsigned object (alg none)", async () => `${btoa(JSON.stringify({ alg: "none" })).replace(/=/g, "")}.${btoa(JSON.stringify({ iss: clientId, aud: ORIGIN, client_id: clientId, response_type: "code", redirect_uri: REDIRECT_URI, scope: "openid", state: "from-object", exp: Math.floor(Date.now() / 1000) + 60 })).replace(/=/g, "")}.`, "must be signed"],
    ["an altered signature", async () => {
      const jwt = await requestObject();
      const [h, p, s] = jwt.split(".");
      return `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    }, "signature"],
    ["an altered payload", async () => {
      const [h, , s] = (await requestObject()).split(".");
      const p = btoa(JSON.stringify({ iss: clientId, aud: ORIGIN, client_id: clientId, response_type: "code", redirect_uri: REDIRECT_URI, scope: "openid email", state: "from-object", exp: Math.floor(Date.now() / 1000) + 60 })).replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_");
      return `${h}.${p}.${s}`;
    }, "signature"],
    ["an expired object", () => requestObject({ exp: Math.floor(Date.now() / 1000) - 120 }), "expired"],
    ["a wrong audience", () => requestObject({ aud: "https://elsewhere.example" }), "aud"],
    ["another client's key", async () => requestObject({}, await keyPair()), "key"],
    ["a client_id in the object that is not the query's", () => requestObject({ client_id: "someone-else" }), "client_id"],
    ["an iss that is not the client", () => requestObject({ iss: "someone-else" }), "iss"],
  ])("%s → invalid_request_object at the redirect URI (§6.3)", async (_label, make, said) => {
    const errorParams = await redirectedError({ client_id: clientId, response_type: "code", request: await make() });
    expect(errorParams.get("error")).toBe("invalid_request_object");
    expect(errorParams.get("error_description")).toContain(said);
    expect(errorParams.get("iss")).toBe(ORIGIN);
  });

  it("§6.3: a query response_type that differs from the object's → invalid_request_object", async () => {
    const errorParams = await redirectedError({ client_id: clientId, response_type: "token", request: await requestObject() });
    expect(errorParams.get("error")).toBe("invalid_request_object");
    expect(errorParams.get("error_description")).toContain("response_type");
  });

  it("§5: a request object without client_id in the query, or for an unknown client, is a page, never a redirect", async () => {
    const jwt = await requestObject();
    for (const query of [{ request: jwt }, { client_id: "no-such-client", request: jwt }] as Record<string, string>[]) {
      const res = await call(authorizeUrl(query));
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("§10.5: a client registered with require_signed_request_object must send one", async () => {
    const plain = await redirectedError({ client_id: strictId, response_type: "code", redirect_uri: REDIRECT_URI, scope: "openid", state: "s" });
    expect(plain.get("error")).toBe("invalid_request");
    expect(plain.get("error_description")).toContain("request object");
    const signedRequest = await call(authorizeUrl({ client_id: strictId, response_type: "code", request: await requestObject({ iss: strictId, client_id: strictId }) }));
    expect(signedRequest.status).toBe(200);
    expect(await signedRequest.text()).toContain('action="login"');
  });

  it("request_uri (other than a pushed request) → request_uri_not_supported", async () => {
    const errorParams = redirectParams(await call(authorizeUrl({ client_id: clientId, response_type: "code", redirect_uri: REDIRECT_URI, scope: "openid", state: "s", request_uri: "https://rp.example/req.jwt" })));
    expect(errorParams.get("error")).toBe("request_uri_not_supported");
  });

  it("discovery advertises request objects and their algorithms (RFC 9101 §10.5; OIDC Discovery §3)", async () => {
    const metadata = await json<Record<string, unknown>>(await call("/.well-known/openid-configuration"));
    expect(metadata).toMatchObject({
      request_parameter_supported: true,
      request_uri_parameter_supported: false,
      request_object_signing_alg_values_supported: ["ES256", "RS256", "PS256", "EdDSA"],
      require_signed_request_object: false,
      token_endpoint_auth_signing_alg_values_supported: ["ES256", "RS256", "PS256", "EdDSA"],
    });
    expect(metadata.grant_types_supported).toContain("urn:ietf:params:oauth:grant-type:jwt-bearer");
  });
});
