import { env } from "cloudflare:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetKeys, publishedJwks } from "../../src/router/keys/cache";
import { admin, call, json } from "../helpers/http";
import { config, keyManager, keysIn, resetKeys } from "./helpers";

// Members that exist only in private keys (RFC 7518 §6.2.2, §6.3.2).
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

beforeEach(resetKeys);

describe("JWKS: what is published (RFC 7517 §4-5, RFC 7638)", () => {
  it("creates one active and one next key per algorithm on first use, once, however many callers race", async () => {
    expect(await keysIn()).toEqual([]);
    const sets = await Promise.all(Array.from({ length: 8 }, () => keyManager().keySet()));
    const keys = await keysIn();
    expect(keys.map((k) => `${k.alg}:${k.state}`).sort()).toEqual(["ES256:active", "ES256:next", "RS256:active", "RS256:next"]);
    for (const set of sets) expect(set.active.ES256.kid).toBe(sets[0]!.active.ES256.kid);
  });

  it("publishes active and next keys of ES256 and RS256 with kid, alg and use=sig, and no private member", async () => {
    const { keys } = await publishedJwks(env, config);
    const stored = await keysIn();
    expect(keys).toHaveLength(4);
    expect(keys.map((k) => k.kid).sort()).toEqual(stored.map((k) => k.kid).sort());
    for (const jwk of keys) {
      expect(jwk.use).toBe("sig");
      expect(["ES256", "RS256"]).toContain(jwk.alg);
      expect(jwk.kty).toBe(jwk.alg === "ES256" ? "EC" : "RSA");
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
      // RFC 7638 §3: the kid is the SHA-256 thumbprint of the required public members.
      expect(jwk.kid).toBe(await calculateJwkThumbprint(jwk, "sha256"));
    }
    const es = keys.filter((k) => k.alg === "ES256");
    expect(es.every((k) => k.crv === "P-256")).toBe(true);
    // RS256 keys are at least 2048 bits (RFC 7518 §3.3): 256 bytes of modulus = 342 base64url characters.
    expect(keys.filter((k) => k.alg === "RS256").every((k) => (k.n ?? "").length >= 342)).toBe(true);
    // The default algorithm's active key comes first, for relying parties that ignore kid.
    const set = await keyManager().keySet();
    expect(keys[0]!.kid).toBe(set.active.ES256.kid);
  });

  it("/jwks.json: JSON JWK Set, public short-lived caching, readable cross-origin", async () => {
    const res = await call("/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/(jwk-set\+)?json/);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const cacheControl = res.headers.get("Cache-Control") ?? "";
    const maxAge = Number(/(?:^|,\s*)max-age=(\d+)/.exec(cacheControl)?.[1]);
    expect(cacheControl).toMatch(/^public\b/);
    // Relying parties never hold the JWKS longer than the router trusts its own copy.
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge * 1000).toBeLessThanOrEqual(config.keyCacheTtlMs);
    const body = await json<{ keys: JWK[] }>(res);
    expect(body.keys.map((k) => k.kid)).toEqual((await publishedJwks(env, config)).keys.map((k) => k.kid));
    for (const jwk of body.keys) for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
  });
});

describe("operator API for keys", () => {
  it("GET /admin/keys lists kid, alg, state and dates, never private material", async () => {
    await keyManager().keySet();
    const res = await admin("GET", "/keys");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const text = await res.text();
    const body = JSON.parse(text) as { keys: Record<string, unknown>[]; rotates_at: number };
    expect(body.keys).toHaveLength(4);
    for (const key of body.keys) {
      expect(Object.keys(key).sort()).toEqual(["activated_at", "alg", "created_at", "kid", "retire_until", "retired_at", "state"]);
    }
    expect(body.rotates_at).toBeGreaterThan(Date.now());
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi|privateJwk|private_jwk)"/);
  });

  it("POST /admin/keys/rotate promotes the next keys and answers the published key ids", async () => {
    await keyManager().keySet();
    const next = await keysIn("next");
    const res = await admin("POST", "/keys/rotate");
    expect(res.status).toBe(200);
    const body = await json<{ active: Record<string, string>; published: { kid: string; alg: string }[] }>(res);
    expect(body.active).toEqual({
      ES256: next.find((k) => k.alg === "ES256")!.kid,
      RS256: next.find((k) => k.alg === "RS256")!.kid,
    });
    // Active, next and the two just retired.
    expect(body.published).toHaveLength(6);
    expect(body.published.map((k) => k.kid).sort()).toEqual((await publishedJwks(env, config)).keys.map((k) => k.kid).sort());
  });

  it("the key routes need the operator token", async () => {
    expect((await call("/admin/keys")).status).toBe(401);
    expect((await call("/admin/keys/rotate", { method: "POST" })).status).toBe(401);
  });
});
