import * as oauth from "oauth4webapi";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { codeTtlFor, profileLimits } from "../../src/router/clients/fapi";
import { TestBrowser } from "../helpers/browser";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient, signIn } from "../helpers/oidc";
import { CLIENT_ASSERTION_TYPE, clientAssertion, keyPair, type KeyPair } from "../jwt-assertions/helpers";
import { pushedCount } from "../par/helpers";

/** A DPoP proof for POST `path` (RFC 9449 §4.2). */
async function proofFor(path: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  return new SignJWT({ jti: crypto.randomUUID(), htm: "POST", htu: `${ORIGIN}${path}`, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ typ: "dpop+jwt", alg: "ES256", jwk: await exportJWK(publicKey) })
    .sign(privateKey);
}

/** POST `path` as a private_key_jwt client (RFC 7523 §2.2). */
async function postAs(path: string, key: KeyPair, clientId: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams({ ...fields, client_id: clientId, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId) });
  return call(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: body.toString() });
}

describe("FAPI 2.0 Security Profile (security_profile: fapi2)", () => {
  let key: KeyPair;
  let clientId: string;
  const profile = (key: KeyPair) => ({ token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] }, scope: "openid profile", security_profile: "fapi2" });

  beforeAll(async () => {
    key = await keyPair();
    clientId = (await registerClient("confidential", profile(key))).clientId;
  });

  it("§5.3.2.1/§5.3.2.2: registration refuses a public client, a secret client and hybrid response types", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ client_type: "public", token_endpoint_auth_method: "none" }, "client_type"],
      [{ token_endpoint_auth_method: "client_secret_basic", jwks: undefined }, "token_endpoint_auth_method"],
      [{ response_types: ["code", "code id_token"] }, "response_types"],
    ];
    for (const [change, field] of cases) {
      const id = `fapi-refused-${crypto.randomUUID().slice(0, 8)}`;
      const res = await admin("PUT", `/clients/${id}`, { client_name: "FAPI", client_type: "confidential", redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code"], ...profile(key), ...change });
      expect(res.status, await res.clone().text()).toBe(400);
      expect(JSON.stringify(await json(res))).toContain(field);
      expect((await admin("GET", `/clients/${id}`)).status).toBe(404);
    }
  });

  it("§5.3.2.2: a plain /authorize is refused at the redirect URI: requests must be pushed", async () => {
    const res = await call(authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s-1", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toContain("pushed");
  });

  it("§5.3.2.2: a push without PKCE is refused (even for a confidential client), and nothing is stored", async () => {
    const before = await pushedCount();
    const res = await postAs("/par", key, clientId, { redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid" });
    expect(res.status).toBe(400);
    const body = await json<{ error: string; error_description: string }>(res);
    expect(body.error).toBe("invalid_request");
    expect(body.error_description).toContain("FAPI 2.0");
    expect(await pushedCount()).toBe(before);
  });

  it("§5.3.2.1: the code is redeemed only with a DPoP proof; the refusal leaves it unspent, and the tokens are sender-constrained", async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const pushed = await postAs("/par", key, clientId, {
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "openid profile",
      state: "s-2",
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    expect(pushed.status, await pushed.clone().text()).toBe(201);
    const { request_uri } = await json<{ request_uri: string }>(pushed);
    const answer = await signIn(new TestBrowser(), { client_id: clientId, request_uri }, await createUser());
    // RFC 9207, required by §5.3.2.2: the response names the issuer.
    expect(answer.get("iss")).toBe(ORIGIN);
    const code = answer.get("code")!;
    const grant = { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier };

    const bearer = await postAs("/token", key, clientId, grant);
    expect(bearer.status).toBe(400);
    expect((await json<{ error: string }>(bearer)).error).toBe("invalid_dpop_proof");

    const bound = await postAs("/token", key, clientId, grant, { DPoP: await proofFor("/token") });
    expect(bound.status, await bound.clone().text()).toBe(200);
    const tokens = await json<{ token_type: string; access_token: string }>(bound);
    expect(tokens.token_type).toBe("DPoP");
  });

  it("§5.3.2.1: codes of a FAPI 2.0 client live at most 60 s, whatever CODE_TTL_S says", () => {
    expect(profileLimits({ securityProfile: "fapi2" })).toEqual({ maxCodeTtlS: 60 });
    expect(profileLimits({ securityProfile: null })).toEqual({});
    expect(codeTtlFor({ codeTtlS: 600 }, profileLimits({ securityProfile: "fapi2" }))).toBe(60);
    expect(codeTtlFor({ codeTtlS: 30 }, profileLimits({ securityProfile: "fapi2" }))).toBe(30);
    expect(codeTtlFor({ codeTtlS: 600 }, profileLimits({ securityProfile: null }))).toBe(600);
  });
});
