import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";

/** WEBAUTHN_RP_ID / WEBAUTHN_ORIGINS (README Configuration): WebAuthn §5.1.4.1's RP ID rule, checked at startup. */
describe("passkey configuration", () => {
  const base = { ISSUER: "https://id.example.com" };

  it("defaults to the issuer's host and origin; a loopback issuer is the RP localhost (browsers refuse IP addresses)", () => {
    expect(parseConfig(base).passkeys).toMatchObject({ rpId: "id.example.com", origins: ["https://id.example.com"], challengeTtlS: 300 });
    expect(parseConfig({ ISSUER: "http://127.0.0.1:8787" }).passkeys).toMatchObject({ rpId: "localhost", origins: ["http://localhost:8787"] });
  });

  it("accepts a parent domain as RP ID and more origins on it", () => {
    const config = parseConfig({ ...base, WEBAUTHN_RP_ID: "example.com", WEBAUTHN_ORIGINS: "https://id.example.com,https://app.example.com" });
    expect(config.passkeys).toMatchObject({ rpId: "example.com", origins: ["https://id.example.com", "https://app.example.com"] });
  });

  it("refuses at startup an RP ID the issuer is not under, and origins off the RP ID, over http, or not origins", () => {
    expect(() => parseConfig({ ...base, WEBAUTHN_RP_ID: "other.com" })).toThrow(/WEBAUTHN_RP_ID/);
    expect(() => parseConfig({ ...base, WEBAUTHN_RP_ID: "ample.com" })).toThrow(/WEBAUTHN_RP_ID/);
    expect(() => parseConfig({ ...base, WEBAUTHN_ORIGINS: "https://evil.com" })).toThrow(/WEBAUTHN_ORIGINS/);
    expect(() => parseConfig({ ...base, WEBAUTHN_ORIGINS: "http://id.example.com" })).toThrow(/WEBAUTHN_ORIGINS/);
    expect(() => parseConfig({ ...base, WEBAUTHN_ORIGINS: "https://id.example.com/path" })).toThrow(/WEBAUTHN_ORIGINS/);
    expect(() => parseConfig({ ...base, PASSKEY_CHALLENGE_TTL_S: "5" })).toThrow(/PASSKEY_CHALLENGE_TTL_S/);
  });
});
