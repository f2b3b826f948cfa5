import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { forgetClient, getClient } from "../../src/router/clients/registry";
import { parseConfig } from "../../src/config";
import { config, putClient } from "./helpers";

/**
 * The per-isolate client cache: /token and /authorize read clients on every
 * request, so D1 is read once per TTL, not per request (DESIGN.md, hot-path budget).
 */

const SPA = { client_name: "SPA", client_type: "public", redirect_uris: ["https://spa.example/cb"] };

/** Changes a registration behind the registry's back, as another isolate would. */
async function renameInD1(clientId: string, name: string): Promise<void> {
  await env.DB.prepare("UPDATE clients SET client_name = ? WHERE client_id = ?").bind(name, clientId).run();
}

describe("client registry cache", () => {
  it("parses a registration into sets and frozen lists", async () => {
    await putClient("reg-parse", { ...SPA, scope: "openid profile", grant_types: ["authorization_code", "refresh_token"] });
    const client = await getClient(env, config, "reg-parse");
    expect(client).toMatchObject({ clientId: "reg-parse", clientType: "public", secretHash: null, idTokenSignedResponseAlg: "ES256" });
    expect([...client!.scopes]).toEqual(["openid", "profile"]);
    expect(client!.grantTypes.has("refresh_token")).toBe(true);
    expect(Object.isFrozen(client!.redirectUris)).toBe(true);
  });

  it("serves a cached registration until the TTL ends or forgetClient is called", async () => {
    await putClient("reg-ttl", SPA);
    expect((await getClient(env, config, "reg-ttl"))?.clientName).toBe("SPA");
    await renameInD1("reg-ttl", "Renamed elsewhere");
    expect((await getClient(env, config, "reg-ttl"))?.clientName).toBe("SPA");
    forgetClient("reg-ttl");
    expect((await getClient(env, config, "reg-ttl"))?.clientName).toBe("Renamed elsewhere");
  });

  it("caches unknown ids too, and forgetClient() with no id drops everything", async () => {
    expect(await getClient(env, config, "reg-later")).toBeNull();
    await env.DB.prepare(
      `INSERT INTO clients (client_id, client_name, client_type, secret_hash, redirect_uris, grant_types, scope,
         token_endpoint_auth_method, created_at, updated_at)
       VALUES ('reg-later', 'Later', 'public', NULL, '["https://x.example/cb"]', '["authorization_code"]', 'openid', 'none', 0, 0)`,
    ).run();
    expect(await getClient(env, config, "reg-later")).toBeNull();
    forgetClient();
    expect((await getClient(env, config, "reg-later"))?.postLogoutRedirectUris).toEqual([]);
  });

  it("CLIENT_CACHE_TTL_MS=0 turns the cache off", async () => {
    const uncached = parseConfig({ ...env, CLIENT_CACHE_TTL_MS: "0" });
    expect(uncached.clientCacheTtlMs).toBe(0);
    expect(config.clientCacheTtlMs).toBe(30_000);
    await putClient("reg-nocache", SPA);
    await getClient(env, uncached, "reg-nocache");
    await renameInD1("reg-nocache", "Fresh");
    expect((await getClient(env, uncached, "reg-nocache"))?.clientName).toBe("Fresh");
  });

  it("rejects CLIENT_CACHE_TTL_MS outside 0..600000", () => {
    expect(() => parseConfig({ ...env, CLIENT_CACHE_TTL_MS: "600001" })).toThrow(/CLIENT_CACHE_TTL_MS/);
    expect(() => parseConfig({ ...env, CLIENT_CACHE_TTL_MS: "-1" })).toThrow(/CLIENT_CACHE_TTL_MS/);
  });

  it("treats a stored row that makes no sense as no client (and does not throw)", async () => {
    await putClient("reg-broken", SPA);
    await env.DB.prepare("UPDATE clients SET token_endpoint_auth_method = 'client_secret_jwt' WHERE client_id = 'reg-broken'").run();
    forgetClient("reg-broken");
    expect(await getClient(env, config, "reg-broken")).toBeNull();
  });

  it("stays bounded at 1000 entries: the least recently used one is evicted first", async () => {
    await putClient("reg-old", SPA);
    await putClient("reg-recent", SPA);
    await getClient(env, config, "reg-old");
    await getClient(env, config, "reg-recent");
    await renameInD1("reg-old", "Evicted");
    await renameInD1("reg-recent", "Evicted");
    for (let i = 0; i < 999; i++) {
      await getClient(env, config, `reg-missing-${i}`);
      if (i % 100 === 0) await getClient(env, config, "reg-recent"); // keeps it recently used
    }
    expect((await getClient(env, config, "reg-old"))?.clientName).toBe("Evicted");
    expect((await getClient(env, config, "reg-recent"))?.clientName).toBe("SPA");
  });
});
