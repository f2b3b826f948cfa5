import { decodeJwt, decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { basic } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { discover, registerClient, rp } from "../helpers/oidc";

/**
 * grant_type=client_credentials (RFC 6749 §4.4) as a client sends it, through
 * oauth4webapi: a token for the client itself, never for a user (RFC 9068 §2.2).
 */

interface Party {
  client: oauth.Client;
  auth: oauth.ClientAuth;
  secret: string | undefined;
}

let as: oauth.AuthorizationServer;
let service: Party;

async function party(type: "confidential" | "public", extra: Record<string, unknown> = {}): Promise<Party> {
  const registered = await registerClient(type, extra);
  const auth = registered.secret === undefined ? oauth.None() : oauth.ClientSecretBasic(registered.secret);
  return { client: { client_id: registered.clientId }, auth, secret: registered.secret };
}

const grant = (p: Party, params: Record<string, string> = {}) => oauth.clientCredentialsGrantRequest(as, p.client, p.auth, params, rp);

async function issued(p: Party, params: Record<string, string> = {}) {
  return oauth.processClientCredentialsResponse(as, p.client, await grant(p, params));
}

/** The OAuth error a refusal carries, as oauth4webapi surfaces it to the client. */
async function refusal(p: Party, params: Record<string, string> = {}): Promise<{ status: number; error: string }> {
  const response = await grant(p, params);
  try {
    await oauth.processClientCredentialsResponse(as, p.client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return { status: error.status, error: error.error };
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      return { status: error.status, error: (await json<{ error: string }>(error.response)).error };
    }
    throw error;
  }
  throw new Error("expected the grant to be refused");
}

beforeAll(async () => {
  as = await discover();
  service = await party("confidential", { grant_types: ["client_credentials"], scope: "api.read api.write openid email" });
});

describe("client_credentials (RFC 6749 §4.4)", () => {
  it("is advertised in the metadata (RFC 8414 §2 grant_types_supported)", () => {
    expect(as.grant_types_supported).toContain("client_credentials");
  });

  it("issues an access token for the client itself: sub is the client id, no user claims (RFC 9068 §2.2)", async () => {
    const response = await grant(service, { scope: "api.read" });
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await oauth.processClientCredentialsResponse(as, service.client, response);
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "api.read" });
    expect(tokens.expires_in).toBeGreaterThan(0);
    // RFC 6749 §4.4.3: no refresh token; and with no user there is no ID token.
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();

    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: as.issuer, sub: service.client.client_id, aud: as.issuer, client_id: service.client.client_id, scope: "api.read" });
    expect(claims.jti).toBeTypeOf("string");
    expect(claims.exp! - claims.iat!).toBe(tokens.expires_in);
    for (const userClaim of ["sid", "gid", "auth_time", "acr", "amr", "email", "name", "nonce", "act"]) {
      expect(claims, userClaim).not.toHaveProperty(userClaim);
    }
  });

  it("without scope: every scope the client is allowed except those about a user (RFC 6749 §3.3 default)", async () => {
    const tokens = await issued(service);
    expect(tokens.scope).toBe("api.read api.write");
    expect(decodeJwt(tokens.access_token).scope).toBe("api.read api.write");
  });

  it("client_secret_post works as well (RFC 6749 §2.3.1)", async () => {
    const post = await party("confidential", { grant_types: ["client_credentials"], scope: "api.read", token_endpoint_auth_method: "client_secret_post" });
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      post.client,
      await oauth.clientCredentialsGrantRequest(as, post.client, oauth.ClientSecretPost(post.secret!), {}, rp),
    );
    expect(decodeJwt(tokens.access_token).sub).toBe(post.client.client_id);
  });

  it("a token for the client is refused at /userinfo: there is no user behind it (OIDC Core §5.3)", async () => {
    const tokens = await issued(service, { scope: "api.read" });
    const response = await oauth.userInfoRequest(as, service.client, tokens.access_token, rp);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
  });
});

describe("client_credentials refusals (RFC 6749 §5.2)", () => {
  it("a public client cannot use it: it has no credentials to prove (§4.4)", async () => {
    const spa = await party("public");
    expect(await refusal(spa)).toEqual({ status: 400, error: "unauthorized_client" });
    // ...and the operator API does not let one register for it.
    const res = await admin("PUT", `/clients/public-cc-${crypto.randomUUID().slice(0, 8)}`, {
      client_name: "SPA",
      client_type: "public",
      redirect_uris: ["https://spa.example/cb"],
      grant_types: ["client_credentials"],
    });
    expect(res.status).toBe(400);
  });

  it("a confidential client without the grant type is unauthorized_client", async () => {
    const web = await party("confidential", { scope: "openid api.read" });
    expect(await refusal(web, { scope: "api.read" })).toEqual({ status: 400, error: "unauthorized_client" });
  });

  it("a wrong secret is invalid_client with a Basic challenge (§5.2)", async () => {
    const wrong: Party = { ...service, auth: oauth.ClientSecretBasic("not-the-secret") };
    expect(await refusal(wrong)).toEqual({ status: 401, error: "invalid_client" });
  });

  it("a scope the client is not allowed is invalid_scope", async () => {
    expect(await refusal(service, { scope: "api.read api.admin" })).toEqual({ status: 400, error: "invalid_scope" });
  });

  it.each(["openid", "profile", "email", "offline_access", "api.read email"])("user scope %j is invalid_scope: there is no user", async (scope) => {
    expect(await refusal(service, { scope })).toEqual({ status: 400, error: "invalid_scope" });
  });

  it("a client allowed only user scopes gets invalid_scope rather than an empty token", async () => {
    const usersOnly = await party("confidential", { grant_types: ["client_credentials"], scope: "openid profile" });
    expect(await refusal(usersOnly)).toEqual({ status: 400, error: "invalid_scope" });
  });

  it.each([
    ["a malformed scope", { scope: 'api.read "x"' }, "invalid_scope"],
    ["an empty scope token", { scope: "api.read  api.write" }, "invalid_scope"],
  ])("%s is a 4xx, never a 500", async (_label, params, error) => {
    expect(await refusal(service, params)).toEqual({ status: 400, error });
  });

  it("a repeated parameter is invalid_request (RFC 6749 §3.2)", async () => {
    const res = await call("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(service.client.client_id, service.secret!) },
      body: "grant_type=client_credentials&scope=api.read&scope=api.write",
    });
    expect(res.status).toBe(400);
    expect((await json<{ error: string }>(res)).error).toBe("invalid_request");
  });
});
