import * as oauth from "oauth4webapi";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { createUser, discover, REDIRECT_URI, registerClient, rp, signIn } from "../helpers/oidc";

/**
 * The whole sign-in as an independent relying party sees it (OIDC Core §3.1):
 * discovery → authorize → login → consent → code → token → ID token validated by
 * oauth4webapi → userinfo. Once for a confidential client, once for a public one.
 */
describe.each([
  ["confidential (client_secret_basic)", "confidential" as const],
  ["public (none + PKCE)", "public" as const],
])("authorization code flow, %s client", (_label, type) => {
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    as = await discover();
    const registered = await registerClient(type);
    client = { client_id: registered.clientId };
    auth = type === "confidential" ? oauth.ClientSecretBasic(registered.secret!) : oauth.None();
    user = await createUser();
  });

  it("signs the user in and the RP validates every response", async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "openid profile email offline_access",
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }).toString();

    const browser = new TestBrowser();
    const callback = await signIn(browser, Object.fromEntries(url.searchParams), user);
    // RFC 9207 §2: iss in the authorization response; validateAuthResponse checks it and state.
    expect(callback.get("iss")).toBe(as.issuer);
    const params = oauth.validateAuthResponse(as, client, callback, state);

    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, rp);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.refresh_token).toMatch(/^r\.\d+\./);

    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.sub).toBe(user.id);
    expect(claims.nonce).toBe(nonce);
    expect(claims.aud).toBe(client.client_id);
    expect(typeof claims.auth_time).toBe("number");
    expect(claims.sid).toBeTypeOf("string");
    expect(claims.amr).toEqual(["pwd"]);
    expect(claims.acr).toBeTypeOf("string");

    // RFC 9068 §2.1: the access token is a JWT typed at+jwt.
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    const at = decodeJwt(tokens.access_token);
    expect(at).toMatchObject({ iss: as.issuer, sub: user.id, client_id: client.client_id, scope: "openid profile email offline_access" });
    expect(at.jti).toBeTypeOf("string");

    const info = await oauth.processUserInfoResponse(as, client, user.id, await oauth.userInfoRequest(as, client, tokens.access_token, rp));
    expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: false, name: "Ada Lovelace", given_name: "Ada", family_name: "Lovelace" });

    // With a live session and the consent remembered, the next authorize redirects at once (one shard call).
    const again = await browser.get(`/authorize?${new URLSearchParams({ ...Object.fromEntries(url.searchParams), state: "second" })}`);
    expect(again.status).toBe(302);
    const next = new URL(again.headers.get("location")!);
    expect(`${next.origin}${next.pathname}`).toBe(REDIRECT_URI);
    expect(next.searchParams.get("code")).toMatch(/^c\.\d+\./);
    expect(next.searchParams.get("state")).toBe("second");
  });
});

describe("discovery lists what exists (OIDC Discovery §3)", () => {
  it("has every endpoint and the supported values", async () => {
    const as = await discover();
    expect(as).toMatchObject({
      authorization_endpoint: `${as.issuer}/authorize`,
      token_endpoint: `${as.issuer}/token`,
      userinfo_endpoint: `${as.issuer}/userinfo`,
      jwks_uri: `${as.issuer}/jwks.json`,
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code", "code id_token", "code token", "code id_token token"],
      subject_types_supported: ["public", "pairwise"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(["ES256", "RS256"]));
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email", "offline_access"]));
  });
});
