import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { basic, tokenRequest } from "../helpers/codes";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { JWT_BEARER, keyPair, serveJwks, signed, type KeyPair } from "./helpers";

interface Refusal {
  error: string;
  error_description: string;
}

let seq = 0;
/** A fresh trusted issuer through the operator API. */
async function trustIssuer(key: KeyPair, subjectType: "user" | "client", extra: Record<string, unknown> = {}): Promise<string> {
  const issuer = `https://idp-${++seq}-${crypto.randomUUID().slice(0, 8)}.example`;
  const res = await admin("PUT", "/trusted-issuers", { issuer, jwks: { keys: [key.publicJwk] }, subject_type: subjectType, scope: "reports:read reports:write", ...extra });
  if (res.status !== 201) throw new Error(`trusting the issuer failed: ${res.status} ${await res.text()}`);
  return issuer;
}

async function bearerClient(grantTypes = [JWT_BEARER]): Promise<{ clientId: string; secret: string }> {
  const { clientId, secret } = await registerClient("confidential", { grant_types: grantTypes, scope: "reports:read reports:write" });
  return { clientId, secret: secret! };
}

function bearer(client: { clientId: string; secret: string }, assertion: string, extra: Record<string, string> = {}): Promise<Response> {
  return tokenRequest({ grant_type: JWT_BEARER, assertion, ...extra }, basic(client.clientId, client.secret));
}

async function expectInvalidGrant(res: Response, said: string): Promise<void> {
  expect(res.status).toBe(400);
  const body = await json<Refusal>(res);
  expect(body.error).toBe("invalid_grant");
  expect(body.error_description).toContain(said);
}

/** The JWT bearer grant (RFC 7523 §2.1, §3; RFC 7521 §4.1). */
describe("JWT bearer grant, user subjects", () => {
  let key: KeyPair;
  let issuer: string;
  let client: { clientId: string; secret: string };
  let user: { id: string };

  beforeAll(async () => {
    key = await keyPair();
    issuer = await trustIssuer(key, "user");
    client = await bearerClient();
    user = await createUser();
  });

  const assertionFor = (claims: Record<string, unknown> = {}) => signed(key, { iss: issuer, sub: user.id, aud: ORIGIN, ...claims });

  it("§2.1: a valid assertion about one of our users → an access token for that user, live at /introspect", async () => {
    const res = await bearer(client, await assertionFor(), { scope: "reports:read" });
    expect(res.status, await res.clone().text()).toBe(200);
    const tokens = await json<{ access_token: string; scope: string; refresh_token?: string; id_token?: string }>(res);
    expect(tokens.scope).toBe("reports:read");
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ sub: user.id, client_id: client.clientId, scope: "reports:read" });
    expect(claims.gid).toBeTruthy();
    const introspected = await call("/introspect", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.secret) },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(await json(introspected)).toMatchObject({ active: true, sub: user.id });
  });

  it("§3 item 7: of 10 concurrent requests with one assertion exactly one gets a token", async () => {
    const assertion = await assertionFor();
    const results = await Promise.all(Array.from({ length: 10 }, () => bearer(client, assertion)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
    await expectInvalidGrant(results.find((r) => r.status === 400)!, "already used");
  });

  it.each([
    ["a wrong audience (§3 item 3)", { aud: "https://elsewhere.example" }, "aud"],
    ["an expired assertion (§3 item 4)", { exp: Math.floor(Date.now() / 1000) - 120 }, "expired"],
    ["an exp beyond the issuer's max lifetime", { exp: Math.floor(Date.now() / 1000) + 3600 }, "more than 300 s"],
    ["no jti", { jti: undefined }, "jti"],
    ["an nbf in the future (§3 item 5)", { nbf: Math.floor(Date.now() / 1000) + 600 }, "nbf"],
    ["an unknown user as sub", { sub: "no-such-user-0000000000" }, "not a user"],
  ])("%s → invalid_grant, and the jti is not spent", async (_label, claims, said) => {
    const jti = crypto.randomUUID();
    await expectInvalidGrant(await bearer(client, await assertionFor({ jti, ...claims })), said);
    expect((await bearer(client, await assertionFor({ jti }))).status).toBe(200);
  });

  it("§3 item 1: an issuer nobody trusts, or a trusted one's iss with a stranger's key → invalid_grant", async () => {
    const stranger = await keyPair();
    await expectInvalidGrant(await bearer(client, await signed(stranger, { iss: "https://unknown.example", sub: user.id, aud: ORIGIN })), "not trusted");
    await expectInvalidGrant(await bearer(client, await signed({ ...stranger, kid: key.kid }, { iss: issuer, sub: user.id, aud: ORIGIN })), "signature");
  });

  it("a disabled user → invalid_grant, nothing issued", async () => {
    const disabled = await createUser();
    expect((await admin("POST", `/users/${disabled.id}/disable`)).status).toBe(200);
    await expectInvalidGrant(await bearer(client, await assertionFor({ sub: disabled.id })), "disabled");
  });

  it("a client not registered for the grant → unauthorized_client; a scope beyond the issuer's → invalid_scope", async () => {
    const other = await bearerClient(["client_credentials"]);
    const res = await bearer(other, await assertionFor());
    expect(res.status).toBe(400);
    expect((await json<Refusal>(res)).error).toBe("unauthorized_client");
    const wide = await bearer(client, await assertionFor(), { scope: "reports:read admin" });
    expect((await json<Refusal>(wide)).error).toBe("invalid_scope");
  });

  it("an issuer's keys by reference (jwks_uri) verify its assertions", async () => {
    const remoteKey = await keyPair("PS256");
    const iss = `https://idp-remote-${crypto.randomUUID().slice(0, 8)}.example`;
    const put = await admin("PUT", "/trusted-issuers", { issuer: iss, jwks_uri: await serveJwks(crypto.randomUUID(), [remoteKey]), subject_type: "user", scope: "reports:read" });
    expect(put.status).toBe(201);
    const res = await bearer(client, await signed(remoteKey, { iss, sub: user.id, aud: `${ORIGIN}/token` }));
    expect(res.status, await res.clone().text()).toBe(200);
  });
});

describe("JWT bearer grant, client subjects", () => {
  it("§2.1: the assertion's sub is the client → a client token; another client's sub is refused", async () => {
    const key = await keyPair();
    const issuer = await trustIssuer(key, "client");
    const client = await bearerClient();
    const res = await bearer(client, await signed(key, { iss: issuer, sub: client.clientId, aud: ORIGIN }));
    expect(res.status, await res.clone().text()).toBe(200);
    const claims = decodeJwt((await json<{ access_token: string }>(res)).access_token);
    expect(claims).toMatchObject({ sub: client.clientId, client_id: client.clientId, scope: "reports:read reports:write" });
    expect(claims.gid).toBeUndefined();
    await expectInvalidGrant(await bearer(client, await signed(key, { iss: issuer, sub: "someone-else", aud: ORIGIN })), "sub");
  });

  it("§3 item 7: a replayed client assertion is refused (raced)", async () => {
    const key = await keyPair();
    const issuer = await trustIssuer(key, "client");
    const client = await bearerClient();
    const assertion = await signed(key, { iss: issuer, sub: client.clientId, aud: ORIGIN });
    const results = await Promise.all(Array.from({ length: 10 }, () => bearer(client, assertion)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
  });
});

describe("operator API for trusted issuers", () => {
  it("creates, lists, replaces and deletes; refuses bad input with 400 naming the field", async () => {
    const key = await keyPair();
    const issuer = await trustIssuer(key, "user");
    const listed = await json<{ trusted_issuers: { issuer: string }[] }>(await admin("GET", "/trusted-issuers"));
    expect(listed.trusted_issuers.map((i) => i.issuer)).toContain(issuer);
    const again = await admin("PUT", "/trusted-issuers", { issuer, jwks: { keys: [key.publicJwk] }, subject_type: "client", scope: "reports:read" });
    expect(again.status).toBe(200);
    expect((await json<{ trusted_issuer: { subject_type: string } }>(await admin("GET", `/trusted-issuers/${encodeURIComponent(issuer)}`))).trusted_issuer.subject_type).toBe("client");
    for (const [body, field] of [
      [{ issuer: "x", subject_type: "user", scope: "a" }, "jwks"],
      [{ issuer: "x", jwks: { keys: [key.publicJwk] }, subject_type: "user", scope: "openid" }, "scope"],
      [{ issuer: "x", jwks: { keys: [key.publicJwk] }, subject_type: "robot", scope: "a" }, "subject_type"],
    ] as const) {
      const res = await admin("PUT", "/trusted-issuers", body);
      expect(res.status).toBe(400);
      expect((await json<Refusal>(res)).error_description).toContain(field);
    }
    expect((await admin("GET", "/trusted-issuers/x")).status).toBe(404);
    expect((await admin("DELETE", `/trusted-issuers/${encodeURIComponent(issuer)}`)).status).toBe(204);
    expect((await admin("DELETE", `/trusted-issuers/${encodeURIComponent(issuer)}`)).status).toBe(404);
  });
});
