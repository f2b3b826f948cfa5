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

  it("refuses an unknown preset and a generic provider without an issuer", () => {
    expect(usageError(() => readAdd(["--id", "a", "--preset", "myspace", "--client-id", "c"], {}))).toMatch(/--preset must be one of/);
    expect(usageError(() => readAdd(["--id", "a", "--client-id", "c"], {}))).toMatch(/--issuer is required/);
  });
});
