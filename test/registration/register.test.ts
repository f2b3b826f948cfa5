import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/oauth/secrets";
import { getClient } from "../../src/router/clients/registry";
import { loadConfig } from "../../src/config";
import { json, ORIGIN } from "../helpers/http";
import { callAs, fakeLimit, freshIp, limitedEnv } from "../helpers/rate-limits";
import { Outage, unreachableD1 } from "../degradation/outage";
import { envWith, expectError, mintToken, REDIRECT, register, registered, send, type ClientInformation } from "./helpers";

const config = loadConfig(env);

describe("POST /register with an initial access token (RFC 7591 §3.1, REGISTRATION=token)", () => {
  it("registers a confidential client: 201 with every registered member, a generated secret and the RFC 7592 credentials", async () => {
    const { initial_access_token } = await mintToken();
    const res = await register(
      { redirect_uris: [REDIRECT], client_name: "Billing", grant_types: ["authorization_code", "refresh_token"], scope: "openid email", contacts: ["ops@rp.example"] },
      initial_access_token,
    );
    expect(res.status, await res.clone().text()).toBe(201);
    // §3.2.1: the response carries credentials and must not be cached.
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Pragma")).toBe("no-cache");
    const info = await json<ClientInformation>(res);
    expect(info).toMatchObject({
      client_name: "Billing",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "openid email",
      id_token_signed_response_alg: "RS256",
      client_secret_expires_at: 0,
      contacts: ["ops@rp.example"],
      application_type: "web",
      registration_client_uri: `${ORIGIN}/register/${info.client_id}`,
    });
    expect(info.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(info.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(info.registration_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Math.abs((info.client_id_issued_at as number) - Date.now() / 1000)).toBeLessThan(60);

    // Only hashes are stored: the secret and the registration access token appear nowhere in D1.
    const row = await env.DB.prepare("SELECT * FROM clients WHERE client_id = ?").bind(info.client_id).first<Record<string, unknown>>();
    expect(row!.secret_hash).toBe(await sha256(info.client_secret!));
    expect(row!.registration_token_hash).toBe(await sha256(info.registration_access_token));
    expect(JSON.stringify(row)).not.toContain(info.client_secret);
    expect(JSON.stringify(row)).not.toContain(info.registration_access_token);

    // The router sees it as any client (its registry reads D1 on the miss).
    const client = await getClient(env, config, info.client_id);
    expect(client).toMatchObject({ clientType: "confidential", redirectUris: [REDIRECT], idTokenSignedResponseAlg: "RS256" });
  });

  it("registers a public client (none): no secret, no client_secret_expires_at", async () => {
    const info = await registered({ token_endpoint_auth_method: "none" });
    expect(info.client_secret).toBeUndefined();
    expect(info.client_secret_expires_at).toBeUndefined();
    expect(info.token_endpoint_auth_method).toBe("none");
  });

  it("gives every registration its own unguessable client id", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add((await registered()).client_id);
    expect(ids.size).toBe(3);
  });

  it("refuses a request without a token: 401 invalid_token with a Bearer challenge (RFC 6750 §3.1)", async () => {
    const res = await register({ redirect_uris: [REDIRECT] });
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="authshard"');
    await expectError(res, 401, "invalid_token");
  });

  it("refuses an unknown, an expired and a used-up token alike with 401 invalid_token", async () => {
    const unknown = await register({ redirect_uris: [REDIRECT] }, "not-a-token-we-issued");
    expect(unknown.headers.get("WWW-Authenticate")).toBe('Bearer realm="authshard", error="invalid_token"');
    await expectError(unknown, 401, "invalid_token");

    const expired = await mintToken();
    await env.DB.prepare("UPDATE registration_tokens SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, expired.token.id).run();
    expect((await expectError(await register({ redirect_uris: [REDIRECT] }, expired.initial_access_token), 401, "invalid_token")).error_description).toMatch(/expired/);

    const once = await mintToken({ max_uses: 1 });
    expect((await register({ redirect_uris: [REDIRECT] }, once.initial_access_token)).status).toBe(201);
    const again = await register({ redirect_uris: [REDIRECT] }, once.initial_access_token);
    expect((await expectError(again, 401, "invalid_token")).error_description).toMatch(/no registrations left/);
  });

  it("a refused registration does not spend a use of the token", async () => {
    const minted = await mintToken({ max_uses: 1 });
    await expectError(await register({ redirect_uris: ["http://rp.example/cb"] }, minted.initial_access_token), 400, "invalid_redirect_uri");
    expect((await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token)).status).toBe(201);
  });

  it("refuses what the token's policy does not allow: 400 invalid_client_metadata naming the field", async () => {
    const minted = await mintToken({ grant_types: ["authorization_code"], scope: "openid profile", token_endpoint_auth_methods: ["none"], max_uses: 5 });
    const base = { redirect_uris: [REDIRECT], token_endpoint_auth_method: "none" };
    await expectError(await register({ ...base, grant_types: ["authorization_code", "refresh_token"] }, minted.initial_access_token), 400, "invalid_client_metadata", "grant_types");
    await expectError(await register({ ...base, scope: "openid email" }, minted.initial_access_token), 400, "invalid_client_metadata", "scope");
    await expectError(await register({ ...base, token_endpoint_auth_method: "client_secret_basic" }, minted.initial_access_token), 400, "invalid_client_metadata", "token_endpoint_auth_method");
    expect((await register({ ...base, scope: "openid profile" }, minted.initial_access_token)).status).toBe(201);
  });

  it("lets a token with client_credentials register a service client with API scopes", async () => {
    const minted = await mintToken({ grant_types: ["client_credentials"], scope: "reports:read" });
    const res = await register({ grant_types: ["client_credentials"], scope: "reports:read", client_name: "Reporter" }, minted.initial_access_token);
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await json(res)).toMatchObject({ grant_types: ["client_credentials"], response_types: [], redirect_uris: [], scope: "reports:read" });
  });
});

describe("REGISTRATION modes", () => {
  it("open: anyone registers a sign-in client within the open policy; client_credentials and other scopes need a token", async () => {
    const open = envWith({ REGISTRATION: "open" });
    const res = await register({ redirect_uris: [REDIRECT], scope: "openid profile offline_access", grant_types: ["authorization_code", "refresh_token"] }, undefined, open);
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<ClientInformation>(res);
    const row = await env.DB.prepare("SELECT initial_token_id FROM clients WHERE client_id = ?").bind(info.client_id).first<{ initial_token_id: string | null }>();
    expect(row!.initial_token_id).toBeNull();

    await expectError(await register({ grant_types: ["client_credentials"] }, undefined, open), 400, "invalid_client_metadata", "grant_types");
    await expectError(await register({ redirect_uris: [REDIRECT], scope: "openid admin" }, undefined, open), 400, "invalid_client_metadata", "scope");

    // With a token, the token's policy applies (and a bad token is still refused).
    const minted = await mintToken({ grant_types: ["client_credentials"], scope: "admin" });
    expect((await register({ grant_types: ["client_credentials"], scope: "admin" }, minted.initial_access_token, open)).status).toBe(201);
    await expectError(await register({ redirect_uris: [REDIRECT] }, "wrong-token", open), 401, "invalid_token");
  });

  it("token (the default): discovery lists the registration endpoint", async () => {
    const metadata = await json(await send("/.well-known/openid-configuration"));
    expect(metadata.registration_endpoint).toBe(`${ORIGIN}/register`);
  });

  it("off: /register and /register/:id answer 404 as unknown paths do, and discovery omits the endpoint", async () => {
    const off = envWith({ REGISTRATION: "off" });
    const minted = await mintToken();
    await expectError(await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token, off), 404, "not_found");
    await expectError(await send("/register/some-client", { headers: { Authorization: "Bearer x" } }, off), 404, "not_found");
    const metadata = await json(await send("/.well-known/openid-configuration", {}, off));
    expect(metadata).not.toHaveProperty("registration_endpoint");
    expect(metadata.token_endpoint).toBe(`${ORIGIN}/token`);
  });
});

describe("POST /register: the request body", () => {
  it("refuses a body that is not JSON (415) or not a JSON object (400)", async () => {
    const { initial_access_token: token } = await mintToken({ max_uses: 10 });
    const auth = { Authorization: `Bearer ${token}` };
    await expectError(await send("/register", { method: "POST", headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" }, body: "redirect_uris=x" }), 415, "invalid_request");
    await expectError(await send("/register", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: "{not json" }), 400, "invalid_request");
    await expectError(await register([REDIRECT], token), 400, "invalid_request");
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const { initial_access_token: token } = await mintToken();
    const res = await register({ redirect_uris: [REDIRECT], client_name: "x".repeat(65 * 1024) }, token);
    await expectError(res, 413, "invalid_request");
  });
});

describe("POST /register: the per-address limit", () => {
  it("answers 429 with Retry-After once the address is over the limit, before reading the token or the body", async () => {
    const limit = fakeLimit("refuse");
    const res = await callAs(limitedEnv({ LIMIT_FORM_IP: limit }), freshIp(), "/register", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(res.headers.get("Retry-After")).toBe("60");
    const body = await expectError(res, 429, "rate_limited");
    expect(body.error_description).toContain("client registrations from this address");
    expect(limit.keys).toHaveLength(1);
  });
});

describe("registration while D1 is down", () => {
  it("answers 503 temporarily_unavailable with Retry-After, never a 500, in every mode and at /register/:id", async () => {
    const db = unreachableD1(new Outage());
    for (const REGISTRATION of ["token", "open"]) {
      const down = { ...envWith({ REGISTRATION }), DB: db };
      const res = await register({ redirect_uris: [REDIRECT] }, "some-initial-token", down);
      expect(res.headers.get("Retry-After")).toBe("5");
      await expectError(res, 503, "temporarily_unavailable");
    }
    const open = { ...envWith({ REGISTRATION: "open" }), DB: db };
    await expectError(await register({ redirect_uris: [REDIRECT] }, undefined, open), 503, "temporarily_unavailable");
    await expectError(await send("/register/some-client", { headers: { Authorization: "Bearer t" } }, open), 503, "temporarily_unavailable");
  });
});
