import { env } from "cloudflare:workers";
import * as oauth from "oauth4webapi";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { sha256 } from "../../src/oauth/secrets";
import { ADMIN_TOKEN, json, ORIGIN } from "../helpers/http";
import { REDIRECT } from "../registration/helpers";
import { CLIENT_ASSERTION_TYPE } from "./helpers";

/** A deployment with CLIENT_SECRET_KEY set (32 bytes, base64url): client_secret_jwt is on. */
const keyed = { ...(env as unknown as Env), CLIENT_SECRET_KEY: "q9Vn2J0r8b1VvQm3yGc5tXkLp4sWz7Aa0bCdEfGhIjK", REGISTRATION: "open" };
const send = (path: string, init: RequestInit = {}) => Promise.resolve(app.request(new URL(path, ORIGIN).href, { redirect: "manual", ...init }, keyed));
const adminSend = (method: string, path: string, body?: unknown) =>
  send(`/admin${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

async function secretJwtClient(): Promise<{ clientId: string; secret: string }> {
  const clientId = `csjwt-${crypto.randomUUID().slice(0, 8)}`;
  const res = await adminSend("PUT", `/clients/${clientId}`, { client_name: "HMAC app", client_type: "confidential", redirect_uris: [REDIRECT], token_endpoint_auth_method: "client_secret_jwt", grant_types: ["client_credentials"], scope: "reports:read" });
  expect(res.status, await res.clone().text()).toBe(201);
  return { clientId, secret: (await json<{ client_secret: string }>(res)).client_secret };
}

function hmacAssertion(clientId: string, secret: string, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: ORIGIN, iat: now, exp: now + 60, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode(secret));
}

const token = (assertion: string) =>
  send("/token", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }) });

/** client_secret_jwt (RFC 7523 §2.2, OIDC Core §9): HMAC with the client secret, kept sealed at rest. */
describe("client_secret_jwt with CLIENT_SECRET_KEY", () => {
  it("OIDC Core §9: oauth4webapi's ClientSecretJwt authenticates; the secret is stored hashed and sealed, never in the clear", async () => {
    const { clientId, secret } = await secretJwtClient();
    const as = await oauth.processDiscoveryResponse(new URL(ORIGIN), await send("/.well-known/openid-configuration"));
    expect(as.token_endpoint_auth_methods_supported).toContain("client_secret_jwt");
    expect(as.token_endpoint_auth_signing_alg_values_supported).toContain("HS256");
    const client: oauth.Client = { client_id: clientId };
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretJwt(secret), new URLSearchParams({ scope: "reports:read" }), {
      [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => send(url, options as RequestInit),
      [oauth.allowInsecureRequests]: true,
    });
    expect((await oauth.processClientCredentialsResponse(as, client, res)).access_token).toBeTruthy();

    const stored = await env.DB.prepare("SELECT c.secret_hash, s.sealed FROM clients c JOIN client_sealed_secrets s USING (client_id) WHERE client_id = ?").bind(clientId).first<{ secret_hash: string; sealed: string }>();
    expect(stored!.secret_hash).toBe(await sha256(secret));
    expect(stored!.sealed).toMatch(/^v1\./);
    expect(stored!.sealed).not.toContain(secret);
  });

  it("a wrong secret, a replayed jti, or the secret sent by Basic is refused (401 invalid_client)", async () => {
    const { clientId, secret } = await secretJwtClient();
    expect((await token(await hmacAssertion(clientId, "not-the-secret-at-all"))).status).toBe(401);
    const assertion = await hmacAssertion(clientId, secret);
    const raced = await Promise.all(Array.from({ length: 5 }, () => token(assertion)));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    const viaBasic = await send("/token", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa(`${clientId}:${secret}`)}` }, body: "grant_type=client_credentials" });
    expect(viaBasic.status).toBe(401);
  });

  it("rotate-secret: the old secret's assertions stop working at once, the new one's work", async () => {
    const { clientId, secret } = await secretJwtClient();
    expect((await token(await hmacAssertion(clientId, secret))).status).toBe(200);
    const rotated = await json<{ client_secret: string }>(await adminSend("POST", `/clients/${clientId}/rotate-secret`));
    expect((await token(await hmacAssertion(clientId, secret))).status).toBe(401);
    expect((await token(await hmacAssertion(clientId, rotated.client_secret))).status).toBe(200);
  });

  it("switching the client to client_secret_basic drops the sealed copy", async () => {
    const { clientId } = await secretJwtClient();
    const res = await adminSend("PUT", `/clients/${clientId}`, { client_name: "HMAC app", client_type: "confidential", redirect_uris: [REDIRECT], grant_types: ["client_credentials"], scope: "reports:read" });
    expect(res.status).toBe(200);
    expect(await env.DB.prepare("SELECT 1 FROM client_sealed_secrets WHERE client_id = ?").bind(clientId).first()).toBeNull();
  });

  it("dynamic registration: client_secret_jwt gets a secret that signs its assertions", async () => {
    const res = await send("/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "client_secret_jwt" }) });
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<{ client_id: string; client_secret: string }>(res);
    const revoke = await send("/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "not-a-token", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await hmacAssertion(info.client_id, info.client_secret, { aud: `${ORIGIN}/revoke` }) }),
    });
    expect(revoke.status).toBe(200);
  });
});
