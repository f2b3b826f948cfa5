import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";
import { providerMetadata } from "../../src/router/endpoints/discovery";

/** PAIRWISE_SALT: the key of pairwise subject identifiers (OIDC Core §8.1). */
describe("PAIRWISE_SALT", () => {
  it("a loopback issuer gets a fixed local key; a public issuer must be given one, else pairwise is off in discovery", () => {
    const local = parseConfig({ ISSUER: "http://127.0.0.1:8787" });
    expect(local.pairwiseSalt).toBeTypeOf("string");
    expect(parseConfig({ ISSUER: "http://localhost:8787" }).pairwiseSalt).toBe(local.pairwiseSalt);
    const production = parseConfig({ ISSUER: "https://id.example.com" });
    expect(production.pairwiseSalt).toBeNull();
    expect(providerMetadata(production).subject_types_supported).toEqual(["public"]);
    const salted = parseConfig({ ISSUER: "https://id.example.com", PAIRWISE_SALT: "x".repeat(32) });
    expect(providerMetadata(salted).subject_types_supported).toEqual(["public", "pairwise"]);
  });

  it("a salt shorter than 32 characters is refused, naming the variable", () => {
    expect(() => parseConfig({ ISSUER: "https://id.example.com", PAIRWISE_SALT: "short" })).toThrow(ConfigError);
    expect(() => parseConfig({ ISSUER: "https://id.example.com", PAIRWISE_SALT: "short" })).toThrow(/^PAIRWISE_SALT: must be at least 32 characters/);
  });
});
