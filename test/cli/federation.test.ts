import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { readAdd } from "../../cli/lib/federation-commands.ts";

const bodyOf = (read: ReturnType<typeof readAdd>) => (read === "help" ? null : read.body);

function usageError(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

/** `npm run federation -- add`: an upstream identity provider through the operator API (PUT /admin/upstreams/<id>). */
describe("federation add", () => {
  it("one command adds a generic OpenID provider by its issuer, secret from the environment", () => {
    const body = bodyOf(readAdd(["--id", "local", "--issuer", "http://127.0.0.1:8788", "--client-id", "downstream"], { FEDERATION_CLIENT_SECRET: "s3cret" }));
    expect(body).toEqual({ preset: "oidc", issuer: "http://127.0.0.1:8788", client_id: "downstream", client_secret: "s3cret", link_policy: "never", show_on_login: true, store_tokens: false, trust_amr: false });
  });

  it("a preset with its options: linking by verified email, hidden, tokens kept, amr trusted, endpoints overridden", () => {
    const body = bodyOf(readAdd(["--id", "gh", "--preset", "github", "--client-id", "c", "--client-secret", "s", "--link-by-email", "--hidden", "--store-tokens", "--trust-amr", "--token-endpoint", "https://gh.example/token"], {}));
    expect(body).toMatchObject({ preset: "github", link_policy: "verified_email", show_on_login: false, store_tokens: true, trust_amr: true, token_endpoint: "https://gh.example/token" });
  });

  it("Apple: Team ID, Key ID and the .p8 key read from its file, for the provider to mint the client secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "authshard-apple-"));
    try {
      const file = join(dir, "AuthKey_KEY9876543.p8");
      writeFileSync(file, "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----\n");
      const body = bodyOf(readAdd(["--id", "apple", "--preset", "apple", "--client-id", "com.example.web", "--apple-team-id", "TEAM123456", "--apple-key-id", "KEY9876543", "--apple-private-key-file", file], {}));
      expect(body).toMatchObject({ preset: "apple", client_id: "com.example.web", apple_team_id: "TEAM123456", apple_key_id: "KEY9876543", apple_private_key: "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----\n" });
      expect(body).not.toHaveProperty("client_secret");
      expect(usageError(() => readAdd(["--id", "apple", "--preset", "apple", "--client-id", "c", "--apple-private-key-file", join(dir, "missing.p8")], {}))).toMatch(/--apple-private-key-file/);
      expect(usageError(() => readAdd(["--id", "g", "--preset", "google", "--client-id", "c", "--apple-team-id", "TEAM123456"], {}))).toMatch(/--preset apple/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown preset and a generic provider without an issuer", () => {
    expect(usageError(() => readAdd(["--id", "a", "--preset", "myspace", "--client-id", "c"], {}))).toMatch(/--preset must be one of/);
    expect(usageError(() => readAdd(["--id", "a", "--client-id", "c"], {}))).toMatch(/--issuer is required/);
  });
});
