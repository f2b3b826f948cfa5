import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

const base = { ISSUER: "https://id.example.com" };
const JWKS = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }] });

function failure(env: Record<string, string>): ConfigError {
  try {
    parseConfig({ ...base, ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("accepted");
}

describe("registration configuration (README, Configuration)", () => {
  it("REGISTRATION is token by default, or open or off; anything else stops startup naming it", () => {
    expect(parseConfig(base).registration).toBe("token");
    expect(parseConfig({ ...base, REGISTRATION: "open" }).registration).toBe("open");
    expect(parseConfig({ ...base, REGISTRATION: "off" }).registration).toBe("off");
    expect(failure({ REGISTRATION: "public" }).message).toBe('REGISTRATION: must be one of token, open, off, got "public"');
  });

  it("trusts software statements only with both DCR variables, and only public keys", () => {
    expect(parseConfig(base).softwareStatementTrust).toBeNull();
    const trust = parseConfig({ ...base, DCR_SOFTWARE_STATEMENT_ISSUER: "https://directory.example", DCR_SOFTWARE_STATEMENT_JWKS: JWKS }).softwareStatementTrust;
    expect(trust?.issuer).toBe("https://directory.example");
    expect(trust?.jwks.keys).toHaveLength(1);
    expect(failure({ DCR_SOFTWARE_STATEMENT_JWKS: JWKS }).variable).toBe("DCR_SOFTWARE_STATEMENT_ISSUER");
    expect(failure({ DCR_SOFTWARE_STATEMENT_ISSUER: "https://directory.example" }).variable).toBe("DCR_SOFTWARE_STATEMENT_JWKS");
    const issuer = { DCR_SOFTWARE_STATEMENT_ISSUER: "https://directory.example" };
    expect(failure({ ...issuer, DCR_SOFTWARE_STATEMENT_JWKS: "{keys" }).message).toMatch(/^DCR_SOFTWARE_STATEMENT_JWKS: is not JSON/);
    const privateKey = JSON.stringify({ keys: [{ ...JSON.parse(JWKS).keys[0], d: "secret" }] });
    expect(failure({ ...issuer, DCR_SOFTWARE_STATEMENT_JWKS: privateKey }).message).toMatch(/private key material/);
  });
});
