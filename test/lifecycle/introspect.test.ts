import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { signJwt } from "../../src/router/keys/cache";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type TokenBody = { access_token?: string; refresh_token?: string; id_token?: string; error?: string };
type Introspection = Record<string, unknown> & { active: boolean };
interface Client {
  clientId: string;
  auth: Record<string, string>;
}

const config = loadConfig(env);
let app: Client;
let other: Client;
let spaId: string;

beforeAll(async () => {
  const [a, b, spa] = await Promise.all([registerClient("confidential"), registerClient("confidential"), registerClient("public")]);
  app = { clientId: a.clientId, auth: basic(a.clientId, a.secret!) };
  other = { clientId: b.clientId, auth: basic(b.clientId, b.secret!) };
  spaId = spa.clientId;
});

const form = (path: string, fields: Record<string, string>, headers: Record<string, string>) =>
  call(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
const introspectRaw = (token: string, by: Client = app, extra: Record<string, string> = {}) => form("/introspect", { token, ...extra }, by.auth);
const introspect = async (token: string, by: Client = app) => json<Introspection>(await introspectRaw(token, by));
const refresh = (token: string) => tokenRequest({ grant_type: "refresh_token", refresh_token: token }, app.auth);
const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });

async function tokensFor(scope?: string): Promise<TokenBody & { access_token: string }> {
  const issued = await issueCode(app.clientId, scope ? { scope } : {});
  const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), app.auth));
  if (!body.access_token) throw new Error(`no tokens: ${JSON.stringify(body)}`);
  return { ...body, access_token: body.access_token };
}

const claimsOf = (jwt: string) => JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown> & { sub: string };
const shardOfToken = async (jwt: string) => shardOf(await currentDirectoryMap(), bucketOf(claimsOf(jwt).sub));

describe("introspecting an access token (RFC 7662 §2.2)", () => {
  it("a live token: active, with the token's claims, no-store", async () => {
    const tokens = await tokensFor();
    const res = await introspectRaw(tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await json<Introspection>(res);
    const claims = claimsOf(tokens.access_token);
    expect(body).toEqual({
      active: true,
      scope: "openid profile email offline_access",
      client_id: app.clientId,
      sub: claims.sub,
      exp: claims.exp,
      iat: claims.iat,
      aud: config.issuer,
      iss: config.issuer,
      jti: claims.jti,
      token_type: "Bearer",
      sid: claims.sid,
    });
    expect(body.exp as number).toBeGreaterThan(Date.now() / 1000);
  });

  it("an expired token is inactive, even within the clock tolerance a verifier would grant", async () => {
    const tokens = await tokensFor();
    const now = Math.floor(Date.now() / 1000);
    // The same claims, signed by our key, but expired: 5 s ago (verifies with tolerance) and 10 min ago (does not).
    for (const ago of [5, 600]) {
      const expired = await signJwt(env, config, "ES256", { ...claimsOf(tokens.access_token), iat: now - 900, exp: now - ago }, { typ: "at+jwt" });
      expect(await introspect(expired)).toEqual({ active: false });
    }
    expect((await introspect(tokens.access_token)).active).toBe(true);
  });

  it.each([
    ["garbage", "nonsense"],
    ["something JWT-shaped with alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
    ["a well-formed unknown refresh token", `r.12.${"A".repeat(22)}.${"B".repeat(43)}`],
    ["a refresh token with a bucket out of range", `r.99999.${"A".repeat(22)}.${"B".repeat(43)}`],
  ])("%s: {active: false} and nothing else", async (_label, token) => {
    const res = await introspectRaw(token);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ active: false });
  });

  it("an ID token or a tampered access token is inactive", async () => {
    const tokens = await tokensFor();
    expect(await introspect(tokens.id_token!)).toEqual({ active: false });
    const access = tokens.access_token;
    expect(await introspect(`${access.slice(0, -4)}${access.endsWith("AAAA") ? "BBBB" : "AAAA"}`)).toEqual({ active: false });
  });

  it("a token whose signature verifies but whose grant is unknown is inactive (the shard is asked)", async () => {
    const tokens = await tokensFor();
    const forged = await signJwt(env, config, "ES256", { ...claimsOf(tokens.access_token), gid: "A".repeat(22) }, { typ: "at+jwt" });
    expect(await introspect(forged)).toEqual({ active: false });
  });

  it("another client's token is inactive for the caller (policy: own tokens only), active for its own client", async () => {
    const tokens = await tokensFor();
    expect(await introspect(tokens.access_token, other)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token!, other)).toEqual({ active: false });
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect((await introspect(tokens.refresh_token!)).active).toBe(true);
  });

  it("a token from token exchange (RFC 8693): active for the client it names, with its audience and act", async () => {
    const tokens = await tokensFor();
    const exchanged = await signJwt(
      env,
      config,
      "ES256",
      { ...claimsOf(tokens.access_token), client_id: other.clientId, aud: "https://api.example", jti: crypto.randomUUID(), act: { sub: other.clientId } },
      { typ: "at+jwt" },
    );
    expect(await introspect(exchanged, other)).toMatchObject({ active: true, client_id: other.clientId, aud: "https://api.example", act: { sub: other.clientId } });
    expect(await introspect(exchanged, app)).toEqual({ active: false });
  });

  it("a client's own token (client_credentials, no user): active until it expires, with sub = client_id", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: config.issuer, sub: app.clientId, aud: config.issuer, client_id: app.clientId, scope: "", iat: now, exp: now + 600, jti: crypto.randomUUID() };
    const token = await signJwt(env, config, "ES256", claims, { typ: "at+jwt" });
    expect(await introspect(token)).toEqual({ active: true, ...claims, token_type: "Bearer" });
    expect(await introspect(token, other)).toEqual({ active: false });
  });

  it("a disabled user's tokens are inactive", async () => {
    const tokens = await tokensFor();
    expect((await admin("POST", `/users/${claimsOf(tokens.access_token).sub}/disable`)).status).toBe(200);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
  });

  it("a token of a session that has ended is inactive, as at /userinfo; an offline grant outlives its session", async () => {
    const online = await tokensFor("openid profile");
    const offline = await tokensFor();
    for (const tokens of [online, offline]) {
      const sid = claimsOf(tokens.access_token).sid as string;
      // What a logout does to the session row; grants are left as they are to isolate the session check.
      await runInDurableObject(stubFor(env, await shardOfToken(tokens.access_token)), (_instance, state) => {
        state.storage.sql.exec("UPDATE sessions SET ended_at = ? WHERE sid = ?", Date.now(), sid);
      });
    }
    expect(await introspect(online.access_token)).toEqual({ active: false });
    expect((await userinfo(online.access_token)).status).toBe(401);
    expect((await introspect(offline.access_token)).active).toBe(true);
  });
});

describe("introspecting a refresh token (RFC 7662 §2.2)", () => {
  it("the current token is active with its family's data; after rotation the retired one is inactive", async () => {
    const first = await tokensFor();
    const body = await introspect(first.refresh_token!);
    const claims = claimsOf(first.access_token);
    expect(body).toMatchObject({ active: true, token_type: "refresh_token", client_id: app.clientId, sub: claims.sub, scope: "openid profile email offline_access", iss: config.issuer, sid: claims.sid });
    expect(body.iat).toBeTypeOf("number");
    expect(body.exp as number).toBeGreaterThan(Date.now() / 1000);
    expect(body).not.toHaveProperty("jti");

    const second = await json<TokenBody>(await refresh(first.refresh_token!));
    expect(await introspect(first.refresh_token!)).toEqual({ active: false });
    expect((await introspect(second.refresh_token!)).active).toBe(true);
  });

  it("introspecting a retired token is not reuse: unlike /token, it revokes nothing (RFC 9700 §4.14.2 applies to the token endpoint)", async () => {
    const first = await tokensFor();
    const second = await json<TokenBody>(await refresh(first.refresh_token!));
    for (let i = 0; i < 3; i++) expect(await introspect(first.refresh_token!)).toEqual({ active: false });
    expect((await userinfo(second.access_token!)).status).toBe(200);
    const third = await refresh(second.refresh_token!);
    expect(third.status).toBe(200);
  });

  it("a revoked family's refresh and access tokens are inactive", async () => {
    const tokens = await tokensFor();
    expect((await form("/revoke", { token: tokens.refresh_token! }, app.auth)).status).toBe(200);
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
  });
});

describe("who may introspect (RFC 7662 §2.1, §4)", () => {
  it("no credentials: 401 invalid_client with WWW-Authenticate", async () => {
    const tokens = await tokensFor();
    const res = await form("/introspect", { token: tokens.access_token }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await json<TokenBody>(res)).error).toBe("invalid_client");
  });

  it("a wrong secret: 401 invalid_client", async () => {
    const tokens = await tokensFor();
    const res = await introspectRaw(tokens.access_token, { clientId: app.clientId, auth: basic(app.clientId, "wrong-secret") });
    expect(res.status).toBe(401);
    expect((await json<TokenBody>(res)).error).toBe("invalid_client");
  });

  it("a public client (client_id only) is refused with 401 invalid_client", async () => {
    const res = await form("/introspect", { token: "anything", client_id: spaId }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await json<TokenBody>(res)).error).toBe("invalid_client");
  });

  it("a confidential client naming itself without its secret is refused", async () => {
    const res = await form("/introspect", { token: "anything", client_id: app.clientId }, {});
    expect(res.status).toBe(401);
  });

  it("client_secret_post works as registered", async () => {
    const { clientId, secret } = await registerClient("confidential", { token_endpoint_auth_method: "client_secret_post" });
    const res = await form("/introspect", { token: "nonsense", client_id: clientId, client_secret: secret! }, {});
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ active: false });
  });
});

describe("malformed requests are 400 invalid_request, never 500 (RFC 7662 §2.3, RFC 6749 §5.2)", () => {
  it.each([
    ["a JSON body", { "Content-Type": "application/json" }, JSON.stringify({ token: "x" })],
    ["a repeated token parameter", {}, "token=a&token=b"],
    ["no token", {}, "token_type_hint=access_token"],
    ["an empty token", {}, "token="],
    ["a token longer than any of ours", {}, `token=${"a".repeat(5000)}`],
  ])("%s", async (_label, headers, body) => {
    const res = await call("/introspect", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...app.auth, ...headers }, body });
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("invalid_request");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("discovery advertises both endpoints and their client authentication methods (RFC 8414 §2)", async () => {
    const metadata = await json(await call("/.well-known/openid-configuration"));
    expect(metadata).toMatchObject({
      revocation_endpoint: `${config.issuer}/revoke`,
      introspection_endpoint: `${config.issuer}/introspect`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "none", "private_key_jwt"],
      introspection_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
    });
  });
});
