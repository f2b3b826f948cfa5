import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient, type Client } from "../../cli/lib/client-format.ts";

const base = ["--id", "web", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb"];
const bodyOf = (read: ReturnType<typeof readCreate>) => (read === "help" ? null : read.body);
const JWKS = { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB", use: "enc", kid: "k1" }] };

function usageError(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("npm run clients -- create: encrypted ID tokens and signed/encrypted UserInfo (OIDC Registration §2)", () => {
  it("sends the keys (inline or @FILE) and the five members under their registration names", () => {
    const dir = mkdtempSync(join(tmpdir(), "jwks-"));
    writeFileSync(join(dir, "jwks.json"), JSON.stringify(JWKS));
    const flags = [
      "--id-token-encryption-alg", "RSA-OAEP-256", "--id-token-encryption-enc", "A256GCM",
      "--userinfo-signing-alg", "ES256", "--userinfo-encryption-alg", "RSA-OAEP-256", "--userinfo-encryption-enc", "A128CBC-HS256",
    ];
    const expected = {
      jwks: JWKS,
      id_token_encrypted_response_alg: "RSA-OAEP-256",
      id_token_encrypted_response_enc: "A256GCM",
      userinfo_signed_response_alg: "ES256",
      userinfo_encrypted_response_alg: "RSA-OAEP-256",
      userinfo_encrypted_response_enc: "A128CBC-HS256",
    };
    expect(bodyOf(readCreate([...base, "--jwks", JSON.stringify(JWKS), ...flags]))).toMatchObject(expected);
    expect(bodyOf(readCreate([...base, "--jwks", `@${join(dir, "jwks.json")}`, ...flags]))).toMatchObject(expected);
    expect(bodyOf(readCreate(base))).not.toHaveProperty("jwks");
    expect(bodyOf(readCreate(base))).not.toHaveProperty("id_token_encrypted_response_alg");
  });

  it("names the problem before any request: an enc without its alg, a --jwks that is not JSON or not readable", () => {
    expect(usageError(() => readCreate([...base, "--id-token-encryption-enc", "A256GCM"]))).toBe("--id-token-encryption-enc needs --id-token-encryption-alg");
    expect(usageError(() => readCreate([...base, "--userinfo-encryption-enc", "A256GCM"]))).toBe("--userinfo-encryption-enc needs --userinfo-encryption-alg");
    expect(usageError(() => readCreate([...base, "--jwks", "{not json"]))).toBe('--jwks must be a JSON JWK Set ({"keys": [...]}) or @file');
    expect(usageError(() => readCreate([...base, "--jwks", "@/nonexistent/jwks.json"]))).toMatch(/^--jwks @\/nonexistent\/jwks.json: ENOENT/);
  });

  it("shows the settings in `clients get`", () => {
    const client: Client = {
      client_id: "web", client_name: "Web", client_type: "confidential", redirect_uris: [], grant_types: ["authorization_code"], scope: "openid",
      token_endpoint_auth_method: "client_secret_basic", id_token_encrypted_response_alg: "ECDH-ES", id_token_encrypted_response_enc: "A256GCM",
      userinfo_signed_response_alg: "RS256", userinfo_encrypted_response_alg: null, userinfo_encrypted_response_enc: null,
    };
    const shown = formatClient(client);
    expect(shown).toContain("id token jwe:  ECDH-ES A256GCM");
    expect(shown).toContain("userinfo:      signed RS256");
  });
});
