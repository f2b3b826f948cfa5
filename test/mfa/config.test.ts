import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

/** MFA_SECRET_KEY and MFA_REQUIRED (README "Two-factor sign-in (TOTP)"). */
describe("two-factor configuration", () => {
  it("a loopback issuer gets a development key; a public issuer without one cannot enrol (null)", () => {
    expect(parseConfig({ ISSUER: "http://127.0.0.1:8787" }).mfa.secretKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parseConfig({ ISSUER: "https://id.example.com" }).mfa.secretKey).toBeNull();
  });

  it("a key must be base64url of 32 bytes", () => {
    const key = "A".repeat(43);
    expect(parseConfig({ ISSUER: "https://id.example.com", MFA_SECRET_KEY: key }).mfa.secretKey).toBe(key);
    expect(() => parseConfig({ ISSUER: "https://id.example.com", MFA_SECRET_KEY: "short" })).toThrow(ConfigError);
    expect(() => parseConfig({ ISSUER: "https://id.example.com", MFA_SECRET_KEY: "short" })).toThrow(/^MFA_SECRET_KEY:/);
  });

  it("MFA_REQUIRED is on or off (off by default)", () => {
    expect(parseConfig({ ISSUER: "http://127.0.0.1:8787" }).mfa.required).toBe(false);
    expect(parseConfig({ ISSUER: "http://127.0.0.1:8787", MFA_REQUIRED: "on" }).mfa.required).toBe(true);
    expect(() => parseConfig({ ISSUER: "http://127.0.0.1:8787", MFA_REQUIRED: "maybe" })).toThrow(/^MFA_REQUIRED:/);
  });
});
