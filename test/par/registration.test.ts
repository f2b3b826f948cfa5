import { describe, expect, it } from "vitest";
import { expectError, mintToken, register, registered } from "../registration/helpers";

/** Dynamic registration of the PAR, JARM and hybrid metadata (RFC 7591 §2, RFC 9126 §6, JARM §3, OIDC Core §3.3). */
describe("dynamic registration: PAR, JARM and response types", () => {
  it("registers and returns them, in canonical spelling; the defaults are code, no PAR, RS256 (JARM §3)", async () => {
    const info = await registered({ response_types: ["code", "id_token code"], require_pushed_authorization_requests: true, authorization_signed_response_alg: "ES256" });
    expect(info).toMatchObject({ response_types: ["code", "code id_token"], require_pushed_authorization_requests: true, authorization_signed_response_alg: "ES256" });
    const plain = await registered();
    expect(plain).toMatchObject({ response_types: ["code"], require_pushed_authorization_requests: false, authorization_signed_response_alg: "RS256" });
  });

  it("refuses implicit-only response types and algorithms it cannot sign with", async () => {
    for (const metadata of [{ response_types: ["id_token"] }, { response_types: ["token"] }, { authorization_signed_response_alg: "HS256" }, { require_pushed_authorization_requests: "yes" }]) {
      const { initial_access_token } = await mintToken();
      await expectError(await register({ redirect_uris: ["https://rp.example/callback"], ...metadata }, initial_access_token), 400, "invalid_client_metadata", Object.keys(metadata)[0]);
    }
  });
});
