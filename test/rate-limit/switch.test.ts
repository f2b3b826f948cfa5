import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { addressSubject, UNKNOWN_IP_KEY } from "../../src/router/rate-limit/keys";
import { RULES, type LimitBinding } from "../../src/router/rate-limit/rules";
import { ADMIN_TOKEN } from "../helpers/http";
import { authorizeUrl, registerClient, REDIRECT_URI } from "../helpers/oidc";
import { callAs, fakeLimit, freshIp, limitedEnv, roomInWindow, smallLimit, type RecordingLimit } from "../helpers/rate-limits";

/** Every limit replaced by one that refuses everything (and records what it was asked). */
function refusingEverything(): { bindings: Record<LimitBinding, RecordingLimit>; calls: () => number } {
  const bindings = Object.fromEntries(RULES.map((rule) => [rule.binding, fakeLimit("refuse")])) as Record<LimitBinding, RecordingLimit>;
  return { bindings, calls: () => Object.values(bindings).reduce((n, b) => n + b.keys.length, 0) };
}

const tokenGuess = (): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa("some-client:guessed")}` },
  body: "grant_type=client_credentials",
});

describe("RATE_LIMITS switch", () => {
  it("parses on (the default) and off, and rejects anything else naming the variable", () => {
    const base = { ISSUER: "https://id.example.com" };
    expect(parseConfig(base).rateLimits).toBe(true);
    expect(parseConfig({ ...base, RATE_LIMITS: "on" }).rateLimits).toBe(true);
    expect(parseConfig({ ...base, RATE_LIMITS: " OFF " }).rateLimits).toBe(false);
    for (const value of ["0", "false", "no", "of"]) {
      expect(() => parseConfig({ ...base, RATE_LIMITS: value })).toThrow(ConfigError);
      expect(() => parseConfig({ ...base, RATE_LIMITS: value })).toThrow(/^RATE_LIMITS: must be on or off/);
    }
  });

  it("off: no limiter is asked, every endpoint answers as without limits", async () => {
    const { bindings, calls } = refusingEverything();
    const workerEnv = limitedEnv({ ...bindings, RATE_LIMITS: "off" });
    const { clientId } = await registerClient("confidential");
    const ip = freshIp();
    expect((await callAs(workerEnv, ip, "/token", tokenGuess())).status).toBe(401);
    const authorize = authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s", nonce: "n" });
    expect((await callAs(workerEnv, ip, authorize)).status).toBe(200);
    const login = await callAs(workerEnv, ip, "/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "interaction=x" });
    expect(login.status).toBe(400);
    expect((await callAs(workerEnv, ip, "/admin/keys", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    expect(calls()).toBe(0);
  });

  it("on: discovery, JWKS and the health check are never limited", async () => {
    const { bindings, calls } = refusingEverything();
    const workerEnv = limitedEnv(bindings);
    for (const path of ["/.well-known/openid-configuration", "/jwks.json", "/healthz"]) {
      expect((await callAs(workerEnv, freshIp(), path)).status).toBe(200);
    }
    expect(calls()).toBe(0);
    // The same env refuses a limited endpoint, so the limiters above were live.
    expect((await callAs(workerEnv, freshIp(), "/token", tokenGuess())).status).toBe(429);
  });

  it("a limiter that fails lets requests through (and the endpoint answers as usual, not 500)", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: fakeLimit("throw") });
    expect((await callAs(workerEnv, freshIp(), "/token", tokenGuess())).status).toBe(401);
  });
});

describe("what the per-address limits count", () => {
  it("a hash of the address, never the address itself", async () => {
    const limit = fakeLimit("allow");
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: limit });
    const ip = freshIp();
    await callAs(workerEnv, ip, "/token", tokenGuess());
    expect(limit.keys).toHaveLength(1);
    expect(limit.keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(limit.keys[0]).not.toContain(ip);
  });

  it(`without CF-Connecting-IP every request shares the fixed key ${UNKNOWN_IP_KEY}`, async () => {
    const limit = smallLimit(env.LIMIT_TOKEN_IP, 1);
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: limit });
    await roomInWindow();
    expect((await callAs(workerEnv, null, "/token", tokenGuess())).status).toBe(401);
    expect((await callAs(workerEnv, null, "/token", tokenGuess())).status).toBe(429);
    expect((await callAs(workerEnv, freshIp(), "/token", tokenGuess())).status).toBe(401);
    expect(limit.keys.slice(0, 2)).toEqual([UNKNOWN_IP_KEY, UNKNOWN_IP_KEY]);
  });
});

describe("addressSubject: one counter per IPv4 address, per IPv6 /64", () => {
  it.each([
    ["198.51.100.7", "198.51.100.7"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["2001:db8:0:1::5", "2001:db8:0:1"],
    ["2001:0DB8:0000:0001:ffff:0:0:9", "2001:db8:0:1"],
    ["2001:db8::", "2001:db8:0:0"],
    ["::1", "0:0:0:0"],
    ["not-an-address", "not-an-address"],
  ])("%s → %s", (header, subject) => {
    expect(addressSubject(header)).toBe(subject);
  });
});
