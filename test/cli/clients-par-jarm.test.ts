import { describe, expect, it } from "vitest";
import { readCreate } from "../../cli/lib/client-commands.ts";
import { formatClient } from "../../cli/lib/client-format.ts";

const bodyOf = <T extends { body: Record<string, unknown> }>(read: T | "help") => (read === "help" ? null : read.body);

describe("npm run clients -- create: PAR, JARM and the hybrid response types", () => {
  const base = ["--id", "web", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb"];

  it("sends require_pushed_authorization_requests (RFC 9126 §6), authorization_signed_response_alg (JARM §3) and response_types", () => {
    const body = bodyOf(readCreate([...base, "--require-par", "--authorization-alg", "RS256", "--response-type", "code", "--response-type", "code id_token"]));
    expect(body).toMatchObject({ require_pushed_authorization_requests: true, authorization_signed_response_alg: "RS256", response_types: ["code", "code id_token"] });
    const plain = bodyOf(readCreate(base))!;
    for (const field of ["require_pushed_authorization_requests", "authorization_signed_response_alg", "response_types"]) expect(plain).not.toHaveProperty(field);
  });

  it("shows them", () => {
    const shown = formatClient({
      client_id: "web",
      client_name: "Web",
      client_type: "confidential",
      redirect_uris: ["https://app.example/cb"],
      grant_types: ["authorization_code"],
      scope: "openid",
      token_endpoint_auth_method: "client_secret_basic",
      response_types: ["code", "code id_token"],
      require_pushed_authorization_requests: true,
      authorization_signed_response_alg: "ES256",
    });
    expect(shown).toContain("responses:     code, code id_token; pushed (PAR) only; JARM ES256");
  });
});
