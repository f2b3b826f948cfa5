import { env } from "cloudflare:test";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { signJwt } from "../../src/router/keys/cache";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { json } from "../helpers/http";
import { discover, registerClient, rp } from "../helpers/oidc";

/**
 * Token exchange (RFC 8693) as a client sends it, through oauth4webapi: an API
 * trades the user's access token for one aimed at a service its policy names.
 */

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS = "urn:ietf:params:oauth:token-type:access_token";
const API = "https://api.example";
const config = loadConfig(env);

interface Party {
  client: oauth.Client;
  auth: oauth.ClientAuth;
  secret: string;
}

let as: oauth.AuthorizationServer;
let app: Party; // the client the user signs in to
let api: Party; // exchanges for API and https://reports.example
let downstream: Party; // exchanges what the API got, for https://downstream.example

async function party(extra: Record<string, unknown> = {}): Promise<Party> {
  const registered = await registerClient("confidential", extra);
  return { client: { client_id: registered.clientId }, auth: oauth.ClientSecretBasic(registered.secret!), secret: registered.secret! };
}

const exchanger = (audiences: string[]) =>
  party({ grant_types: ["authorization_code", "client_credentials", GRANT], scope: "openid email api.read", token_exchange_audiences: audiences });

/** A user signs in to `by` (default: the app) and the app redeems the code. */
async function userToken(scope?: string, by: Party = app): Promise<string> {
  const issued = await issueCode(by.client.client_id, scope ? { scope } : {});
  const body = await json<{ access_token: string }>(await tokenRequest(redeemFields(issued), basic(by.client.client_id, by.secret)));
  return body.access_token;
}

const request = (p: Party, params: Record<string, string>) =>
  oauth.genericTokenEndpointRequest(as, p.client, p.auth, GRANT, { subject_token_type: ACCESS, audience: API, ...params }, rp);

async function exchange(p: Party, params: Record<string, string>) {
  return oauth.processGenericTokenEndpointResponse(as, p.client, await request(p, params));
}

/** The OAuth error of a refused exchange (RFC 6749 §5.2), as oauth4webapi surfaces it. */
async function refusal(p: Party, params: Record<string, string>): Promise<{ status: number; error: string }> {
  try {
    await exchange(p, params);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return { status: error.status, error: error.error };
    throw error;
  }
  throw new Error("expected the exchange to be refused");
}

/** A token signed with the provider's own key: claims we choose, e.g. an expiry already past. */
const signed = (payload: JWTPayload, typ = "at+jwt") => signJwt(env, config, "ES256", payload, { typ });

beforeAll(async () => {
  as = await discover();
  app = await party();
  api = await exchanger([API, "https://reports.example"]);
  downstream = await exchanger(["https://downstream.example"]);
});

describe("token exchange (RFC 8693 §2)", () => {
  it("is advertised in the metadata (RFC 8414 §2)", () => {
    expect(as.grant_types_supported).toContain(GRANT);
  });

  it("trades the user's token for one aimed at the API: narrowed, with act, no longer-lived (§2.1, §2.2.1, §4.1)", async () => {
    const subjectToken = await userToken("openid profile email offline_access");
    const subject = decodeJwt(subjectToken);
    const response = await request(api, { subject_token: subjectToken, scope: "openid email" });
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await oauth.processGenericTokenEndpointResponse(as, api.client, response);
    expect(tokens).toMatchObject({ token_type: "bearer", issued_token_type: ACCESS, scope: "openid email" });
    expect(tokens.refresh_token).toBeUndefined();

    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: as.issuer,
      aud: API,
      sub: subject.sub,
      client_id: api.client.client_id,
      scope: "openid email",
      act: { sub: api.client.client_id },
      gid: subject.gid,
      sid: subject.sid,
      auth_time: subject.auth_time,
    });
    expect(claims.jti).not.toBe(subject.jti);
    expect(claims.exp!).toBeLessThanOrEqual(subject.exp!);
    expect(tokens.expires_in).toBeLessThanOrEqual(subject.exp! - Math.floor(Date.now() / 1000) + 1);
  });

  it("never outlives the subject token: expires_in is capped by its remaining life", async () => {
    const subject = decodeJwt(await userToken());
    const now = Math.floor(Date.now() / 1000);
    const shortLived = await signed({ ...subject, jti: crypto.randomUUID(), iat: now, exp: now + 45 });
    const tokens = await exchange(api, { subject_token: shortLived });
    expect(tokens.expires_in).toBeLessThanOrEqual(45);
    expect(decodeJwt(tokens.access_token).exp!).toBeLessThanOrEqual(now + 45);
  });

  it("without scope the subject's scope carries over; resource (RFC 8707) names the audience as well", async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      api.client,
      await oauth.genericTokenEndpointRequest(
        as,
        api.client,
        api.auth,
        GRANT,
        { subject_token: await userToken("openid email"), subject_token_type: ACCESS, resource: "https://reports.example" },
        rp,
      ),
    );
    expect(tokens.scope).toBe("openid email");
    expect(decodeJwt(tokens.access_token).aud).toBe("https://reports.example");
    const both = await exchange(api, { subject_token: await userToken(), resource: "https://reports.example" });
    expect(decodeJwt(both.access_token).aud).toEqual([API, "https://reports.example"]);
  });

  it("a delegation chain nests act: the current actor outermost (§4.1)", async () => {
    const first = await exchange(api, { subject_token: await userToken() });
    const second = await exchange(downstream, { subject_token: first.access_token, audience: "https://downstream.example", scope: "openid" });
    const claims = decodeJwt(second.access_token);
    expect(claims.aud).toBe("https://downstream.example");
    expect(claims.act).toEqual({ sub: downstream.client.client_id, act: { sub: api.client.client_id } });
    expect(claims.sub).toBe(decodeJwt(first.access_token).sub);
  });

  it("an actor token names the acting party (§2.1 actor_token, §4.1)", async () => {
    const admin = await userToken("openid", api);
    const tokens = await exchange(api, { subject_token: await userToken(), actor_token: admin, actor_token_type: ACCESS });
    expect(decodeJwt(tokens.access_token).act).toEqual({ sub: decodeJwt(admin).sub });
  });

  it("a client token may be the subject: the result stays free of user claims", async () => {
    const own = await oauth.processClientCredentialsResponse(
      as,
      api.client,
      await oauth.clientCredentialsGrantRequest(as, api.client, api.auth, { scope: "api.read" }, rp),
    );
    const claims = decodeJwt((await exchange(api, { subject_token: own.access_token })).access_token);
    expect(claims).toMatchObject({ sub: api.client.client_id, aud: API, scope: "api.read" });
    for (const userClaim of ["gid", "sid", "auth_time"]) expect(claims, userClaim).not.toHaveProperty(userClaim);
  });
});

describe("exchange policy (RFC 8693 §2.2.2, §5)", () => {
  it("an audience outside the client's policy is invalid_target", async () => {
    const subject_token = await userToken();
    expect(await refusal(api, { subject_token, audience: "https://evil.example" })).toEqual({ status: 400, error: "invalid_target" });
    expect(await refusal(api, { subject_token, audience: "https://downstream.example" })).toEqual({ status: 400, error: "invalid_target" });
    expect(await refusal(api, { subject_token, resource: "https://evil.example" })).toEqual({ status: 400, error: "invalid_target" });
    expect(await refusal(api, { subject_token, resource: "not a uri" })).toEqual({ status: 400, error: "invalid_target" });
  });

  it("a client without the grant type, or with it but no audiences, is unauthorized_client", async () => {
    const subject_token = await userToken();
    expect(await refusal(app, { subject_token })).toEqual({ status: 400, error: "unauthorized_client" });
    const noPolicy = await party({ grant_types: [GRANT] });
    expect(await refusal(noPolicy, { subject_token })).toEqual({ status: 400, error: "unauthorized_client" });
  });

  it("scope may narrow, never widen (§2.1 scope): wider is invalid_scope", async () => {
    const subject_token = await userToken("openid email");
    expect(await refusal(api, { subject_token, scope: "openid profile" })).toEqual({ status: 400, error: "invalid_scope" });
    expect(await refusal(api, { subject_token, scope: 'openid "' })).toEqual({ status: 400, error: "invalid_scope" });
  });

  it("an actor token issued to another client cannot be used to claim its identity", async () => {
    const elsewhere = await userToken("openid", app);
    const res = await refusal(api, { subject_token: await userToken(), actor_token: elsewhere, actor_token_type: ACCESS });
    expect(res).toEqual({ status: 400, error: "invalid_request" });
  });
});

describe("invalid subject tokens are invalid_request (RFC 8693 §2.2.2), never a 500", () => {
  it("a subject token whose grant was revoked (code replay) is refused, and so is what was exchanged from it", async () => {
    const issued = await issueCode(app.client.client_id);
    const auth = basic(app.client.client_id, app.secret);
    const { access_token } = await json<{ access_token: string }>(await tokenRequest(redeemFields(issued), auth));
    const exchanged = await exchange(api, { subject_token: access_token });
    // RFC 6749 §4.1.2: a replayed code revokes the tokens the first redemption issued.
    expect((await tokenRequest(redeemFields(issued), auth)).status).toBe(400);
    expect(await refusal(api, { subject_token: access_token })).toEqual({ status: 400, error: "invalid_request" });
    // The exchanged token carries the same grant, so it dies with it.
    expect(await refusal(downstream, { subject_token: exchanged.access_token, audience: "https://downstream.example" })).toEqual({
      status: 400,
      error: "invalid_request",
    });
  });

  it("an expired subject token (signed by us) is refused", async () => {
    const subject = decodeJwt(await userToken());
    const now = Math.floor(Date.now() / 1000);
    const expired = await signed({ ...subject, iat: now - 700, exp: now - 100 });
    expect(await refusal(api, { subject_token: expired })).toEqual({ status: 400, error: "invalid_request" });
  });

  it("a forged subject token (our kid, another key) is refused", async () => {
    const real = await userToken();
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(decodeJwt(real)).setProtectedHeader({ ...decodeProtectedHeader(real), alg: "ES256" }).sign(privateKey);
    expect(await refusal(api, { subject_token: forged })).toEqual({ status: 400, error: "invalid_request" });
  });

  it("an ID token is not an access token (RFC 8725 §3.11)", async () => {
    const subject = decodeJwt(await userToken());
    const idLike = await signed(subject, "JWT");
    expect(await refusal(api, { subject_token: idLike })).toEqual({ status: 400, error: "invalid_request" });
  });

  it.each([
    ["garbage", { subject_token: "nonsense" }],
    ["three dots of garbage", { subject_token: "a.b.c" }],
    ["no subject_token", { subject_token: "" }],
    ["no subject_token_type", { subject_token: "x", subject_token_type: "" }],
    ["an unsupported subject_token_type (§3)", { subject_token: "x", subject_token_type: "urn:ietf:params:oauth:token-type:id_token" }],
    ["an unknown subject_token_type", { subject_token: "x", subject_token_type: "bogus" }],
    ["requested_token_type other than access_token", { subject_token: "x", requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" }],
    ["actor_token without actor_token_type", { subject_token: "x", actor_token: "y" }],
    ["actor_token_type without actor_token", { subject_token: "x", actor_token_type: ACCESS }],
    ["no audience or resource", { subject_token: "x", audience: "" }],
  ])("%s is invalid_request", async (_label, params) => {
    expect(await refusal(api, params)).toEqual({ status: 400, error: "invalid_request" });
  });

  it("a garbage actor token is invalid_request", async () => {
    const res = await refusal(api, { subject_token: await userToken(), actor_token: "nonsense", actor_token_type: ACCESS });
    expect(res).toEqual({ status: 400, error: "invalid_request" });
  });
});
