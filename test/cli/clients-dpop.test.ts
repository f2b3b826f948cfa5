import { describe, expect, it } from "vitest";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient } from "../../cli/lib/client-format.ts";

/** `npm run clients -- create --dpop-bound-access-tokens` (RFC 9449 §5.2) as the operator API body, and how a client shows it. */
describe("npm run clients -- create: DPoP", () => {
  const base = ["--id", "spa", "--name", "SPA", "--type", "public", "--redirect-uri", "https://app.example/cb"];
  const bodyOf = (argv: string[]) => {
    const read = readCreate(argv);
    if (read === "help") throw new Error("help");
    return read.body;
  };

  it("--dpop-bound-access-tokens sends dpop_bound_access_tokens: true; without it the field is left to the default", () => {
    expect(bodyOf([...base, "--dpop-bound-access-tokens"])).toMatchObject({ dpop_bound_access_tokens: true });
    expect(bodyOf(base)).not.toHaveProperty("dpop_bound_access_tokens");
  });

  it("show prints whether the token endpoint requires a proof", () => {
    const client = { client_id: "spa", client_name: "SPA", client_type: "public", token_endpoint_auth_method: "none", redirect_uris: [], grant_types: ["authorization_code"], scope: "openid" };
    expect(formatClient({ ...client, dpop_bound_access_tokens: true })).toMatch(/dpop:\s+proof required at \/token/);
    expect(formatClient({ ...client, dpop_bound_access_tokens: false })).toMatch(/dpop:\s+optional/);
  });
});
