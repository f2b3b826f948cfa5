import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

const base = { ISSUER: "https://id.example.com" };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("parseConfig accepted the configuration");
}

describe("loadConfig: validated, frozen, failing with the variable's name", () => {
  it("applies the documented defaults and freezes the result", () => {
    const config = parseConfig(base);
    expect(config.issuer).toBe("https://id.example.com");
    expect(config.shardCount).toBe(4);
    expect(config.adminToken).toBeNull();
    expect(config.secureCookies).toBe(true);
    expect(config.auditRetentionDays).toBe(30);
    expect(config.outboxMaxEvents).toBe(1_000_000);
    expect(config.logRequests).toBe("errors");
    expect([...config.auditWindowSkip]).toEqual(["token.issued"]);
    expect([...parseConfig({ ...base, AUDIT_WINDOW_SKIP: "none" }).auditWindowSkip]).toEqual([]);
    expect([...parseConfig({ ...base, AUDIT_WINDOW_SKIP: "token.issued,login.success" }).auditWindowSkip]).toEqual(["token.issued", "login.success"]);
    expect(config.keyStaleSigningMs).toBe(3_600_000);
    expect(config.deviceCodeTtlS).toBe(600);
    expect(parseConfig({ ...base, DEVICE_CODE_TTL_S: "900" }).deviceCodeTtlS).toBe(900);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("keeps an issuer path but drops a trailing slash", () => {
    expect(parseConfig({ ISSUER: "https://example.com/tenant-a/" }).issuer).toBe("https://example.com/tenant-a");
  });

  it("turns Secure cookies off only for a loopback http issuer", () => {
    expect(parseConfig({ ISSUER: "http://127.0.0.1:8787" }).secureCookies).toBe(false);
    expect(parseConfig({ ISSUER: "http://localhost:8787" }).secureCookies).toBe(false);
  });

  it.each([
    [{}, "ISSUER", /required/],
    [{ ISSUER: "not a url" }, "ISSUER", /not a URL/],
    [{ ISSUER: "http://id.example.com" }, "ISSUER", /https/],
    [{ ISSUER: "https://id.example.com/?tenant=a" }, "ISSUER", /query or fragment/],
    [{ ...base, SHARD_COUNT: "abc" }, "SHARD_COUNT", /integer/],
    [{ ...base, SHARD_COUNT: "0" }, "SHARD_COUNT", /between/],
    [{ ...base, ADMIN_TOKEN: "short" }, "ADMIN_TOKEN", /16 characters/],
    [{ ...base, MAP_CACHE_TTL_MS: "-5" }, "MAP_CACHE_TTL_MS", /integer/],
    [{ ...base, SHARD_RETRY_BUDGET_MS: "999999" }, "SHARD_RETRY_BUDGET_MS", /between/],
    [{ ...base, AUDIT_RETENTION_DAYS: "0" }, "AUDIT_RETENTION_DAYS", /between 1 and 3650/],
    [{ ...base, OUTBOX_MAX_EVENTS: "10" }, "OUTBOX_MAX_EVENTS", /between/],
    [{ ...base, LOG_REQUESTS: "verbose" }, "LOG_REQUESTS", /one of errors, all, off/],
    [{ ...base, AUDIT_WINDOW_SKIP: "token.issued, DROP TABLE" }, "AUDIT_WINDOW_SKIP", /event types like token.issued/],
    [{ ...base, KEY_STALE_SIGNING_S: "86401" }, "KEY_STALE_SIGNING_S", /between/],
    [{ ...base, KEY_STALE_SIGNING_S: "1h" }, "KEY_STALE_SIGNING_S", /integer/],
    [{ ...base, DEVICE_CODE_TTL_S: "30" }, "DEVICE_CODE_TTL_S", /between 60 and 3600/],
    [{ ...base, DEVICE_CODE_TTL_S: "10m" }, "DEVICE_CODE_TTL_S", /integer/],
    [{ ...base, CLIENT_SECRET_KEY: "too-short" }, "CLIENT_SECRET_KEY", /32 random bytes/],
  ])("rejects %j naming %s", (env, variable, message) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });
});
