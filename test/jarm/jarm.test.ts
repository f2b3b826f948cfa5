import * as oauth from "oauth4webapi";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { authorizeUrl, createUser, discover, REDIRECT_URI, registerClient, rp } from "../helpers/oidc";
import { authorizationResponse, formPostFields, fragmentParams } from "../hybrid/helpers";

/**
 * JWT Secured Authorization Response Mode (JARM, OpenID FAPI WG 2022): the response
 * as one signed JWT, checked by an independent RP library (oauth4webapi).
 */
describe("JARM", () => {
  let as: oauth.AuthorizationServer;
  let user: Awaited<ReturnType<typeof createUser>>;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;

  beforeAll(async () => {
    as = await discover();
    user = await createUser();
    const registered = await registerClient("confidential");
    client = { client_id: registered.clientId, authorization_signed_response_alg: "ES256" };
    auth = oauth.ClientSecretBasic(registered.secret!);
  });

  async function request(mode: string, extra: Record<string, string> = {}) {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const params = {
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      response_mode: mode,
      scope: "openid profile",
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      ...extra,
    };
    return { params, verifier, state };
  }

  it("§4: discovery lists the JWT response modes and the signing algorithms", () => {
    expect(as.response_modes_supported).toEqual(expect.arrayContaining(["query.jwt", "fragment.jwt", "form_post.jwt", "jwt"]));
    expect(as.authorization_signing_alg_values_supported).toEqual(["ES256", "RS256"]);
  });

  it("§2.3.1 query.jwt: only `response` in the query; the RP verifies it and redeems the code", async () => {
    const { params, verifier, state } = await request("query.jwt");
    const res = await authorizationResponse(new TestBrowser(), params, user);
    const url = new URL(res.headers.get("location")!);
    expect([...url.searchParams.keys()]).toEqual(["response"]);
    // §2.1: iss, aud = the client, a short exp; the code and state inside.
    const jwt = decodeJwt(url.searchParams.get("response")!);
    expect(jwt).toMatchObject({ iss: as.issuer, aud: client.client_id, state });
    expect(jwt.exp! - jwt.iat!).toBe(60);
    expect(decodeProtectedHeader(url.searchParams.get("response")!).alg).toBe("ES256");

    const validated = await oauth.validateJwtAuthResponse(as, client, url, state, rp);
    expect(validated.get("code")).toMatch(/^c\./);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, auth, validated, REDIRECT_URI, verifier, rp));
    expect(tokens.access_token).toBeTypeOf("string");
  });

  it("§2.3.3 form_post.jwt: the auto-posting page carries only `response`", async () => {
    const { params, state } = await request("form_post.jwt");
    const res = await authorizationResponse(new TestBrowser(), params, user);
    expect(res.status).toBe(200);
    const fields = await formPostFields(res);
    expect([...fields.keys()]).toEqual(["response"]);
    expect((await oauth.validateJwtAuthResponse(as, client, fields, state, rp)).get("code")).toMatch(/^c\./);
  });

  it("§2.3.2 fragment.jwt, and §2.3.4 jwt (query.jwt for response_type=code)", async () => {
    const fragment = await request("fragment.jwt");
    const res = await authorizationResponse(new TestBrowser(), fragment.params, user);
    expect((await oauth.validateJwtAuthResponse(as, client, fragmentParams(res), fragment.state, rp)).get("code")).toMatch(/^c\./);

    const plain = await request("jwt");
    const url = new URL((await authorizationResponse(new TestBrowser(), plain.params, user)).headers.get("location")!);
    expect((await oauth.validateJwtAuthResponse(as, client, url, plain.state, rp)).get("code")).toMatch(/^c\./);
  });

  it("§2.4: errors after the redirect URI is validated are JWT responses too (error, error_description, state, iss)", async () => {
    const badScope = await request("query.jwt", { scope: "openid admin" });
    const url = new URL((await call(authorizeUrl(badScope.params))).headers.get("location")!);
    const jwt = decodeJwt(url.searchParams.get("response")!);
    expect(jwt).toMatchObject({ error: "invalid_scope", state: badScope.state, iss: as.issuer, aud: client.client_id });
    await expect(oauth.validateJwtAuthResponse(as, client, url, badScope.state, rp)).rejects.toMatchObject({ error: "invalid_scope" });

    // prompt=none without a session: login_required, as a form_post.jwt.
    const silent = await request("form_post.jwt", { prompt: "none" });
    const fields = await formPostFields(await call(authorizeUrl(silent.params)));
    await expect(oauth.validateJwtAuthResponse(as, client, fields, silent.state, rp)).rejects.toMatchObject({ error: "login_required" });
  });

  it("errors before the redirect URI is trusted stay on a page; an unknown response_mode goes back in the default mode", async () => {
    const unknownRedirect = await request("query.jwt", { redirect_uri: "https://evil.example/cb" });
    const page = await call(authorizeUrl(unknownRedirect.params));
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();

    const badMode = await request("query.jwz");
    const url = new URL((await call(authorizeUrl(badMode.params))).headers.get("location")!);
    expect(url.searchParams.get("error")).toBe("invalid_request");
  });

  it("§3: a client registered with authorization_signed_response_alg RS256 gets RS256 responses", async () => {
    const registered = await registerClient("public", { authorization_signed_response_alg: "RS256" });
    const rsClient = { client_id: registered.clientId, authorization_signed_response_alg: "RS256" };
    const verifier = oauth.generateRandomCodeVerifier();
    const params = {
      client_id: rsClient.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      response_mode: "query.jwt",
      scope: "openid",
      state: "s1",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    };
    const url = new URL((await authorizationResponse(new TestBrowser(), params, user)).headers.get("location")!);
    expect(decodeProtectedHeader(url.searchParams.get("response")!).alg).toBe("RS256");
    expect((await oauth.validateJwtAuthResponse(as, rsClient, url, "s1", rp)).get("code")).toMatch(/^c\./);
  });

  it("the operator API shows the client's JARM algorithm, and refuses one it cannot sign with", async () => {
    const registered = await registerClient("public", { authorization_signed_response_alg: "RS256" });
    const { admin } = await import("../helpers/http");
    const shown = await json<{ client: { authorization_signed_response_alg: string } }>(await admin("GET", `/clients/${registered.clientId}`));
    expect(shown.client.authorization_signed_response_alg).toBe("RS256");
    const refused = await admin("PUT", `/clients/${registered.clientId}`, {
      client_name: "x",
      client_type: "public",
      redirect_uris: [REDIRECT_URI],
      authorization_signed_response_alg: "HS256",
    });
    expect(refused.status).toBe(400);
  });
});
