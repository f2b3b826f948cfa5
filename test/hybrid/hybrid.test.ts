import * as oauth from "oauth4webapi";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { accessTokenHash } from "../../src/oauth/claims";
import { TestBrowser } from "../helpers/browser";
import { call } from "../helpers/http";
import { authorizeUrl, createUser, discover, REDIRECT_URI, registerClient, rp } from "../helpers/oidc";
import { authorizationResponse, formPostFields, fragmentParams } from "./helpers";

const HYBRID = ["code", "code id_token", "code token", "code id_token token"];

/**
 * The OpenID Connect hybrid flow (OIDC Core §3.3): a code and, from the same
 * authorization response, an ID token and/or an access token; the code is redeemed
 * at /token as in the code flow. Checked by oauth4webapi where it can.
 */
describe("hybrid flow (OIDC Core §3.3)", () => {
  let as: oauth.AuthorizationServer;
  let user: Awaited<ReturnType<typeof createUser>>;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;

  beforeAll(async () => {
    as = await discover();
    user = await createUser();
    const registered = await registerClient("confidential", { response_types: HYBRID });
    client = { client_id: registered.clientId };
    auth = oauth.ClientSecretBasic(registered.secret!);
  });

  async function request(responseType: string, extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const params = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: responseType,
      scope: "openid profile email offline_access",
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      ...extra,
    };
    return { params, verifier, state, nonce };
  }

  it("discovery lists the hybrid response types", () => {
    expect(as.response_types_supported).toEqual(HYBRID);
  });

  it("§3.3.2.5 code id_token: in the fragment; oauth4webapi checks the ID token (signature, nonce, c_hash, s_hash); the code redeems once with PKCE", async () => {
    const { params, verifier, state, nonce } = await request("code id_token");
    const res = await authorizationResponse(new TestBrowser(), params, user);
    const fragment = fragmentParams(res);
    expect(fragment.get("access_token")).toBeNull();
    const validated = await oauth.validateCodeIdTokenResponse(as, client, fragment, nonce, state, undefined, rp);
    const front = decodeJwt(fragment.get("id_token")!);
    expect(front).toMatchObject({ sub: user.id, aud: client.client_id, nonce, c_hash: await accessTokenHash(fragment.get("code")!), s_hash: await accessTokenHash(state) });
    // §5.4: with an access token to come, profile claims are not in the front-channel ID token.
    expect(front).not.toHaveProperty("email");

    const grant = () => oauth.authorizationCodeGrantRequest(as, client, auth, validated, REDIRECT_URI, verifier, rp);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await grant(), { expectedNonce: nonce, requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(tokens)!.sub).toBe(user.id);
    expect((await grant()).status).toBe(400);
  });

  it("§3.3.2.5 code token: a Bearer access token that /userinfo accepts, beside the code", async () => {
    const { params } = await request("code token");
    const fragment = fragmentParams(await authorizationResponse(new TestBrowser(), params, user));
    expect(fragment.get("code")).toMatch(/^c\./);
    expect(fragment.get("token_type")).toBe("Bearer");
    expect(Number(fragment.get("expires_in"))).toBeGreaterThan(0);
    expect(fragment.get("id_token")).toBeNull();
    const access = fragment.get("access_token")!;
    // No refresh token ever comes from the front channel: offline_access waits for /token.
    expect(decodeJwt(access).scope).toBe("openid profile email");
    const info = await call("/userinfo", { headers: { Authorization: `Bearer ${access}` } });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: user.id, email: user.email });
  });

  it("§3.3.2.11 code id_token token: the ID token's at_hash binds the access token; both revoke like any", async () => {
    const { params, state, nonce } = await request("code id_token token");
    const fragment = fragmentParams(await authorizationResponse(new TestBrowser(), params, user));
    await oauth.validateCodeIdTokenResponse(as, client, fragment, nonce, state, undefined, rp);
    const access = fragment.get("access_token")!;
    expect(decodeJwt(fragment.get("id_token")!).at_hash).toBe(await accessTokenHash(access));
    const revoked = await oauth.revocationRequest(as, client, auth, access, rp);
    expect(revoked.status).toBe(200);
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${access}` } })).status).toBe(401);
  });

  it("form_post and fragment.jwt carry the same response", async () => {
    const posted = await request("code id_token", { response_mode: "form_post" });
    const fields = await formPostFields(await authorizationResponse(new TestBrowser(), posted.params, user));
    await oauth.validateCodeIdTokenResponse(as, client, fields, posted.nonce, posted.state, undefined, rp);

    const jarm = await request("code id_token", { response_mode: "jwt" });
    const res = await authorizationResponse(new TestBrowser(), jarm.params, user);
    // oauth4webapi's JARM check stops at hybrid responses: verify the JARM JWT with jose, then the inner response with oauth4webapi.
    const jwks = createLocalJWKSet(await (await call("/jwks.json")).json());
    const { payload } = await jwtVerify(fragmentParams(res).get("response")!, jwks, { issuer: as.issuer, audience: client.client_id });
    const inner = new URLSearchParams(Object.entries(payload).filter(([k]) => ["code", "id_token", "state", "iss"].includes(k)).map(([k, v]) => [k, String(v)]));
    await oauth.validateCodeIdTokenResponse(as, client, inner, jarm.nonce, jarm.state, undefined, rp);
  });

  it.each([
    ["§3.3.2.11: an ID token without nonce", "code id_token", { nonce: "" }, "invalid_request"],
    ["Multiple Response Types §5: response_mode=query for tokens", "code id_token", { response_mode: "query" }, "invalid_request"],
    ["query.jwt for tokens", "code token", { response_mode: "query.jwt" }, "invalid_request"],
    ["implicit-only id_token", "id_token", {}, "unsupported_response_type"],
    ["implicit-only token", "token", {}, "unsupported_response_type"],
    ["implicit-only id_token token", "id_token token", {}, "unsupported_response_type"],
  ])("refused: %s", async (_label, type, extra, error) => {
    const { params, state } = await request(type, extra);
    const sent = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
    const res = await new TestBrowser().get(authorizeUrl(sent));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    // Errors of a token-bearing request go back in the fragment too; nothing was issued.
    const answer = type.includes("code") ? fragmentParams(res) : location.searchParams;
    expect(answer.get("error")).toBe(error);
    expect(answer.get("state")).toBe(state);
    expect(answer.get("code")).toBeNull();
  });

  it("a client not registered for the type gets unauthorized_client; `code` stays the default registration", async () => {
    const plain = await registerClient("public");
    const { params, state } = await request("code id_token", { client_id: plain.clientId });
    const res = await new TestBrowser().get(authorizeUrl(params));
    const answer = fragmentParams(res);
    expect(answer.get("error")).toBe("unauthorized_client");
    expect(answer.get("state")).toBe(state);
  });
});
