import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient } from "../../cli/lib/client-format.ts";

/** `npm run clients -- create --subject-type`: pairwise subject identifiers (OIDC Core §8.1) from the command line. */
describe("npm run clients -- create: --subject-type", () => {
  const base = ["--id", "web", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb"];
  const bodyOf = (argv: string[]) => {
    const read = readCreate(argv);
    return read === "help" ? null : read.body;
  };

  it("sends subject_type pairwise or public, and nothing when not given (the server's default, public)", () => {
    expect(bodyOf([...base, "--subject-type", "pairwise"])).toMatchObject({ subject_type: "pairwise" });
    expect(bodyOf([...base, "--subject-type=public"])).toMatchObject({ subject_type: "public" });
    expect(bodyOf(base)).not.toHaveProperty("subject_type");
  });

  it("names the flag and the bad value before any request", () => {
    expect(() => readCreate([...base, "--subject-type", "secret"])).toThrow(UsageError);
    expect(() => readCreate([...base, "--subject-type", "secret"])).toThrow("--subject-type must be public or pairwise, not 'secret'");
  });

  it("shows the subject type of a client", () => {
    const shown = formatClient({ client_id: "web", client_name: "Web", client_type: "confidential", redirect_uris: [], grant_types: [], scope: "openid", token_endpoint_auth_method: "client_secret_basic", subject_type: "pairwise" });
    expect(shown).toMatch(/subject:\s+pairwise/);
  });
});
