import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

const base = { ISSUER: "https://id.example.com" };

function failure(env: Record<string, string>): string {
  try {
    parseConfig({ ...base, ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("accepted");
}

describe("PAR configuration (README, Configuration)", () => {
  it("PAR_TTL_S is 60 by default and 10-600; REQUIRE_PAR is off by default, on or off only", () => {
    expect(parseConfig(base)).toMatchObject({ parTtlS: 60, requirePar: false });
    expect(parseConfig({ ...base, PAR_TTL_S: "600", REQUIRE_PAR: "on" })).toMatchObject({ parTtlS: 600, requirePar: true });
    expect(failure({ PAR_TTL_S: "9" })).toMatch(/^PAR_TTL_S: /);
    expect(failure({ PAR_TTL_S: "601" })).toMatch(/^PAR_TTL_S: /);
    expect(failure({ REQUIRE_PAR: "yes" })).toBe('REQUIRE_PAR: must be on or off, got "yes"');
  });
});
