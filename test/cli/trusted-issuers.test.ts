import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { readTrust } from "../../cli/lib/trusted-issuer-commands.ts";

function usageError(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

const bodyOf = (read: ReturnType<typeof readTrust>) => (read === "help" ? null : read.body);

/** `npm run clients -- trust-issuer`: the JWT bearer grant's trusted issuers (RFC 7523 §2.1). */
describe("clients trust-issuer", () => {
  const base = ["--issuer", "https://idp.example", "--subject", "user", "--scope", "reports:read"];

  it("sends the issuer, its keys, subject type, scope, audiences and lifetime", () => {
    const body = bodyOf(readTrust([...base, "--jwks-uri", "https://idp.example/jwks", "--audience", "https://api.example", "--audience", "urn:x", "--max-lifetime", "600"]));
    expect(body).toEqual({
      issuer: "https://idp.example",
      jwks_uri: "https://idp.example/jwks",
      subject_type: "user",
      scope: "reports:read",
      audiences: ["https://api.example", "urn:x"],
      max_lifetime_s: 600,
    });
  });

  it("refuses a missing key set, an unknown subject type and a lifetime out of range", () => {
    expect(usageError(() => readTrust(base))).toMatch(/--jwks or --jwks-uri is required/);
    expect(usageError(() => readTrust(["--issuer", "i", "--subject", "robot", "--scope", "a", "--jwks-uri", "https://x.example/j"]))).toMatch(/--subject must be user or client/);
    expect(() => readTrust([...base, "--jwks-uri", "https://x.example/j", "--max-lifetime", "5"])).toThrow(UsageError);
  });
});
