import { describe, expect, it } from "vitest";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient } from "../../cli/lib/client-format.ts";

/** `npm run clients -- create --mfa-required` (two-factor sign-in) as the operator API body, and how a client shows it. */
describe("npm run clients -- create: two-factor sign-in", () => {
  const base = ["--id", "bank", "--name", "Bank", "--type", "public", "--redirect-uri", "https://bank.example/cb"];
  const bodyOf = (argv: string[]) => {
    const read = readCreate(argv);
    if (read === "help") throw new Error("help");
    return read.body;
  };

  it("--mfa-required sends mfa_required: true; without it the field is left to the default (off)", () => {
    expect(bodyOf([...base, "--mfa-required"])).toMatchObject({ mfa_required: true });
    expect(bodyOf(base)).not.toHaveProperty("mfa_required");
  });

  it("show prints the requirement only when it is on", () => {
    const client = { client_id: "bank", client_name: "Bank", client_type: "public", token_endpoint_auth_method: "none", redirect_uris: [], grant_types: ["authorization_code"], scope: "openid" };
    expect(formatClient({ ...client, mfa_required: true })).toMatch(/two-factor:\s+required at every sign-in/);
    expect(formatClient({ ...client, mfa_required: false })).not.toMatch(/two-factor/);
  });
});
