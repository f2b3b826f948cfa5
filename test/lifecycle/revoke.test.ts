import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { signJwt } from "../../src/router/keys/cache";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { deliverAudit } from "../helpers/audit";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";

type TokenBody = { access_token?: string; refresh_token?: string; id_token?: string; error?: string };
interface Client {
  clientId: string;
  /** Headers that authenticate the client; public clients send client_id in the body instead. */
  auth: Record<string, string>;
  fields: Record<string, string>;
}

let app: Client;
let other: Client;
let spa: Client;

async function client(type: "confidential" | "public"): Promise<Client> {
  const { clientId, secret } = await registerClient(type);
  return type === "public" ? { clientId, auth: {}, fields: { client_id: clientId } } : { clientId, auth: basic(clientId, secret!), fields: {} };
}

beforeAll(async () => {
  [app, other, spa] = await Promise.all([client("confidential"), client("confidential"), client("public")]);
});

const form = (path: string, fields: Record<string, string>, headers: Record<string, string>) =>
  call(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
const revoke = (token: string, by: Client = app, extra: Record<string, string> = {}) => form("/revoke", { token, ...by.fields, ...extra }, by.auth);
const introspect = (token: string) => form("/introspect", { token }, app.auth);
const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });
const refresh = (token: string, by: Client = app) => tokenRequest({ grant_type: "refresh_token", refresh_token: token, ...by.fields }, by.auth);

/** A signed-in user's tokens for `by`, with a refresh token (offline_access). */
async function tokensFor(by: Client = app): Promise<Required<Pick<TokenBody, "access_token" | "refresh_token">>> {
  const issued = await issueCode(by.clientId);
  const body = await json<TokenBody>(await tokenRequest(redeemFields(issued, by.fields), by.auth));
  if (!body.access_token || !body.refresh_token) throw new Error(`no tokens: ${JSON.stringify(body)}`);
  return { access_token: body.access_token, refresh_token: body.refresh_token };
}

const claimsOf = (jwt: string) =>
  JSON.parse(atob(jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown> & { sub: string; gid: string; jti: string; exp: number };
const config = loadConfig(env);
/** An access token of ours as another grant type would sign it (the claims differ, the key and typ do not). */
const signAccess = (claims: Record<string, unknown>) => signJwt(env, config, "ES256", claims, { typ: "at+jwt" });

/** Events of `type` about a grant, counted in D1 after the shard's outbox is delivered (delivery is exactly-once per row). */
async function auditEvents(accessToken: string, type: string): Promise<number> {
  const { sub, gid } = claimsOf(accessToken);
  const shard = shardOf(await currentDirectoryMap(), bucketOf(sub));
  await deliverAudit(shard);
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE type = ? AND json_extract(data, '$.grant') = ?").bind(type, gid).first<{ n: number }>();
  return row?.n ?? 0;
}

async function expectRevokedOk(res: Response): Promise<void> {
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("");
  expect(res.headers.get("cache-control")).toBe("no-store");
}

describe("revoking an access token (RFC 7009 §2.1)", () => {
  it("kills that token at /userinfo and /introspect; other tokens of the same grant still work", async () => {
    const first = await tokensFor();
    const second = await json<TokenBody>(await refresh(first.refresh_token));
    expect(claimsOf(second.access_token!).gid).toBe(claimsOf(first.access_token).gid);

    await expectRevokedOk(await revoke(first.access_token));
    const res = await userinfo(first.access_token);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await json(await introspect(first.access_token))).toEqual({ active: false });

    // Only that token: the grant's other access token and its refresh family live on.
    expect((await userinfo(second.access_token!)).status).toBe(200);
    expect(await json(await introspect(second.access_token!))).toMatchObject({ active: true });
    expect((await refresh(second.refresh_token!)).status).toBe(200);
  });

  it("is remembered by jti until the token's expiry, once, however often it is revoked", async () => {
    const tokens = await tokensFor();
    const { sub, jti } = claimsOf(tokens.access_token);
    const answers = await Promise.all(Array.from({ length: 5 }, () => revoke(tokens.access_token)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = await rowsIn(shardOf(await currentDirectoryMap(), bucketOf(sub)), "revoked_tokens", "jti = ?", jti);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.expires_at).toBeGreaterThanOrEqual(claimsOf(tokens.access_token).exp * 1000);
    expect(await auditEvents(tokens.access_token, "token.revoked")).toBe(1);
  });
});

describe("revoking a refresh token (RFC 7009 §2.1)", () => {
  it("ends the whole family: refresh fails with invalid_grant and the grant's access tokens are dead", async () => {
    const tokens = await tokensFor();
    await expectRevokedOk(await revoke(tokens.refresh_token));
    const res = await refresh(tokens.refresh_token);
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect(await json(await introspect(tokens.refresh_token))).toEqual({ active: false });
    expect(await auditEvents(tokens.access_token, "family.revoked")).toBe(1);
  });

  it("a retired refresh token of the client's family still ends the family", async () => {
    const first = await tokensFor();
    const second = await json<TokenBody>(await refresh(first.refresh_token));
    await expectRevokedOk(await revoke(first.refresh_token));
    expect((await json<TokenBody>(await refresh(second.refresh_token!))).error).toBe("invalid_grant");
    expect((await userinfo(second.access_token!)).status).toBe(401);
  });

  it("a public client revokes its own refresh token with client_id alone (RFC 7009 §2.1, §5)", async () => {
    const tokens = await tokensFor(spa);
    await expectRevokedOk(await revoke(tokens.refresh_token, spa));
    expect((await json<TokenBody>(await refresh(tokens.refresh_token, spa))).error).toBe("invalid_grant");
    expect((await userinfo(tokens.access_token)).status).toBe(401);
  });

  it("20 concurrent revocations of one refresh token all answer 200, and the family ends once", async () => {
    const tokens = await tokensFor();
    const answers = await Promise.all(Array.from({ length: 20 }, () => revoke(tokens.refresh_token)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await json<TokenBody>(await refresh(tokens.refresh_token))).error).toBe("invalid_grant");
    expect(await auditEvents(tokens.access_token, "family.revoked")).toBe(1);
    expect(await auditEvents(tokens.access_token, "token.revoked")).toBe(1);
  });
});

describe("what is not the caller's to revoke (RFC 7009 §2.1, §2.2)", () => {
  it("another client's tokens: 200, nothing revoked, both still work", async () => {
    const tokens = await tokensFor();
    await expectRevokedOk(await revoke(tokens.access_token, other));
    await expectRevokedOk(await revoke(tokens.refresh_token, other));
    await expectRevokedOk(await revoke(tokens.refresh_token, spa));
    expect((await userinfo(tokens.access_token)).status).toBe(200);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it.each([
    ["garbage", "nonsense"],
    ["a well-formed unknown refresh token", `r.12.${"A".repeat(22)}.${"B".repeat(43)}`],
    ["a refresh token with a bucket out of range", `r.99999.${"A".repeat(22)}.${"B".repeat(43)}`],
    ["something JWT-shaped", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
  ])("%s: 200 with an empty body — invalid tokens do not cause an error (§2.2)", async (_label, token) => {
    await expectRevokedOk(await revoke(token));
  });

  it("an ID token or a tampered access token is not an access token: 200, and the real token still works", async () => {
    const issued = await issueCode(app.clientId);
    const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), app.auth));
    await expectRevokedOk(await revoke(body.id_token!));
    const access = body.access_token!;
    const tampered = `${access.slice(0, -4)}${access.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    await expectRevokedOk(await revoke(tampered));
    expect((await userinfo(access)).status).toBe(200);
  });

  it("token_type_hint is only a hint: a wrong or unknown hint still revokes the token (§2.1)", async () => {
    const tokens = await tokensFor();
    await expectRevokedOk(await revoke(tokens.access_token, app, { token_type_hint: "refresh_token" }));
    await expectRevokedOk(await revoke(tokens.refresh_token, app, { token_type_hint: "something_else" }));
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
  });
});

describe("access tokens of other grant types", () => {
  it("a token from token exchange (RFC 8693) is revoked by the client it names, though the grant is another client's", async () => {
    const tokens = await tokensFor();
    const exchanged = await signAccess({
      ...claimsOf(tokens.access_token),
      client_id: other.clientId,
      aud: "https://api.example",
      jti: crypto.randomUUID(),
      act: { sub: other.clientId },
    });
    await expectRevokedOk(await revoke(exchanged, app));
    expect((await json(await form("/introspect", { token: exchanged }, other.auth))).active).toBe(true);
    await expectRevokedOk(await revoke(exchanged, other));
    expect(await json(await form("/introspect", { token: exchanged }, other.auth))).toEqual({ active: false });
    // Only that token: the subject token it came from lives on.
    expect((await userinfo(tokens.access_token)).status).toBe(200);
  });

  it("a client's own client_credentials token cannot be revoked: unsupported_token_type (§2.2.1); another client's: 200", async () => {
    const now = Math.floor(Date.now() / 1000);
    const own = await signAccess({ iss: config.issuer, sub: app.clientId, aud: config.issuer, client_id: app.clientId, scope: "", iat: now, exp: now + 600, jti: crypto.randomUUID() });
    const res = await revoke(own);
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("unsupported_token_type");
    await expectRevokedOk(await revoke(own, other));
  });
});

describe("client authentication at /revoke (RFC 7009 §2.1, RFC 6749 §2.3)", () => {
  it("no credentials: 401 invalid_client with WWW-Authenticate, and nothing is revoked", async () => {
    const tokens = await tokensFor();
    const res = await form("/revoke", { token: tokens.refresh_token }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
    expect((await json<TokenBody>(res)).error).toBe("invalid_client");
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });

  it("a wrong secret, or a confidential client naming itself without one: 401 invalid_client", async () => {
    const tokens = await tokensFor();
    const wrong = await form("/revoke", { token: tokens.refresh_token }, basic(app.clientId, "not-the-secret"));
    expect(wrong.status).toBe(401);
    expect((await json<TokenBody>(wrong)).error).toBe("invalid_client");
    const bare = await form("/revoke", { token: tokens.refresh_token, client_id: app.clientId }, {});
    expect(bare.status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);
  });
});

describe("malformed requests are 400 invalid_request, never 500 (RFC 7009 §2.2.1, RFC 6749 §5.2)", () => {
  it.each([
    ["a JSON body", { "Content-Type": "application/json" }, JSON.stringify({ token: "x" })],
    ["a repeated token parameter", {}, "token=a&token=b"],
    ["no token", {}, "token_type_hint=access_token"],
    ["an empty token", {}, "token="],
  ])("%s", async (_label, headers, body) => {
    const res = await call("/revoke", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...app.auth, ...headers }, body });
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("invalid_request");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("GET is not allowed", async () => {
    const res = await call(`/revoke?token=x`, { headers: app.auth });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("browser apps may call it cross-origin, like /token (CORS preflight)", async () => {
    const res = await call("/revoke", {
      method: "OPTIONS",
      headers: { Origin: "https://spa.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
