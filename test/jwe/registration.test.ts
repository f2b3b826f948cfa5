import { describe, expect, it } from "vitest";
import { admin, json } from "../helpers/http";
import { REDIRECT_URI } from "../helpers/oidc";
import { configure, expectError, mintToken, register, registered, type ClientInformation } from "../registration/helpers";
import { rpKey } from "./helpers";

const base = { client_name: "Encrypting app", client_type: "confidential", redirect_uris: [REDIRECT_URI] };
let seq = 0;
const freshId = () => `jwe-${++seq}-${crypto.randomUUID().slice(0, 8)}`;

/** PUT /admin/clients/:id with `extra`; the response and whether anything was stored. */
async function put(extra: Record<string, unknown>): Promise<{ res: Response; stored: boolean }> {
  const id = freshId();
  const res = await admin("PUT", `/clients/${id}`, { ...base, ...extra });
  return { res, stored: (await admin("GET", `/clients/${id}`)).status === 200 };
}

/** An EC point that is not on P-256: well-formed base64url, but no valid public key. */
const offCurve = { kty: "EC", crv: "P-256", x: "A".repeat(43), y: "B".repeat(43), use: "enc" };

describe("operator API: encryption and UserInfo metadata (OIDC Registration §2)", () => {
  it("stores the settings and defaults enc to A128CBC-HS256 when only the alg is given", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const { res } = await put({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256", userinfo_signed_response_alg: "ES256", userinfo_encrypted_response_alg: "RSA-OAEP-256", userinfo_encrypted_response_enc: "A256GCM" });
    expect(res.status).toBe(201);
    const { client } = await json<{ client: Record<string, unknown> }>(res);
    expect(client).toMatchObject({
      id_token_encrypted_response_alg: "RSA-OAEP-256",
      id_token_encrypted_response_enc: "A128CBC-HS256",
      userinfo_signed_response_alg: "ES256",
      userinfo_encrypted_response_alg: "RSA-OAEP-256",
      userinfo_encrypted_response_enc: "A256GCM",
    });
  });

  it("refuses, with the field named and nothing stored: enc without alg, an unsupported alg, no keys, no usable key, an unreadable jwks_uri, a key that is not a key", async () => {
    const rsa = await rpKey("RSA-OAEP-256");
    const ecSigning = { ...(await rpKey("ECDH-ES")).publicJwk, use: "sig" };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_enc: "A256GCM" }, /id_token_encrypted_response_enc: needs id_token_encrypted_response_alg/],
      [{ jwks: { keys: [rsa.publicJwk] }, userinfo_encrypted_response_enc: "A256GCM" }, /userinfo_encrypted_response_enc: needs userinfo_encrypted_response_alg/],
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_alg: "RSA1_5" }, /id_token_encrypted_response_alg/],
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256", id_token_encrypted_response_enc: "A128GCM" }, /id_token_encrypted_response_enc/],
      [{ userinfo_signed_response_alg: "none" }, /userinfo_signed_response_alg/],
      [{ id_token_encrypted_response_alg: "RSA-OAEP-256" }, /id_token_encrypted_response_alg: RSA-OAEP-256 needs the client's public key/],
      [{ jwks: { keys: [ecSigning, rsa.publicJwk] }, userinfo_encrypted_response_alg: "ECDH-ES" }, /userinfo_encrypted_response_alg: jwks has no key usable for ECDH-ES/],
      [{ jwks: { keys: [{ ...rsa.publicJwk, alg: "RSA-OAEP" }] }, id_token_encrypted_response_alg: "RSA-OAEP-256" }, /no key usable for RSA-OAEP-256/],
      [{ jwks_uri: "https://rp.example/no-such-jwks.json", id_token_encrypted_response_alg: "ECDH-ES" }, /^jwks_uri: \S+ answered 404/],
      [{ jwks: { keys: [offCurve] }, id_token_encrypted_response_alg: "ECDH-ES" }, /jwks: the jwks key chosen for ECDH-ES is not a valid public key/],
    ];
    for (const [extra, message] of cases) {
      const { res, stored } = await put(extra);
      const body = await json<{ error: string; error_description: string }>(res);
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(body.error).toBe("invalid_request");
      expect(body.error_description).toMatch(message);
      expect(stored).toBe(false);
    }
  });
});

describe("dynamic registration: encryption and UserInfo metadata (OIDC Registration §2, RFC 7591 §3.2)", () => {
  it("registers them and shows them back, enc defaulted to A128CBC-HS256; unrequested members are absent", async () => {
    const key = await rpKey("ECDH-ES+A256KW");
    const info = await registered({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "ECDH-ES+A256KW", userinfo_signed_response_alg: "RS256" });
    expect(info).toMatchObject({ id_token_encrypted_response_alg: "ECDH-ES+A256KW", id_token_encrypted_response_enc: "A128CBC-HS256", userinfo_signed_response_alg: "RS256" });
    expect(info).not.toHaveProperty("userinfo_encrypted_response_alg");
    expect(info).not.toHaveProperty("userinfo_encrypted_response_enc");
  });

  it("refuses with invalid_client_metadata naming the field (RFC 7591 §3.2.2), and spends no registration", async () => {
    const rsa = await rpKey("RSA-OAEP-256");
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_enc: "A256GCM" }, "id_token_encrypted_response_enc", /needs id_token_encrypted_response_alg/],
      [{ jwks: { keys: [rsa.publicJwk] }, userinfo_encrypted_response_alg: "dir" }, "userinfo_encrypted_response_alg", /dir would need a secret/],
      [{ id_token_encrypted_response_alg: "ECDH-ES" }, "id_token_encrypted_response_alg", /needs the client's public key/],
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_alg: "ECDH-ES+A128KW" }, "id_token_encrypted_response_alg", /no key usable for ECDH-ES\+A128KW/],
      [{ jwks: { keys: [offCurve] }, userinfo_encrypted_response_alg: "ECDH-ES" }, "jwks", /not a valid public key/],
      [{ userinfo_signed_response_alg: 256 }, "userinfo_signed_response_alg", /must be a string/],
      [{ userinfo_signed_response_alg: "none" }, "userinfo_signed_response_alg", /unsigned UserInfo JWTs are not issued/],
      [{ jwks: { keys: [rsa.publicJwk] }, id_token_encrypted_response_alg: "none" }, "id_token_encrypted_response_alg", /"none" is not supported \(supported: RSA-OAEP-256, /],
    ];
    for (const [metadata, field, message] of cases) {
      const minted = await mintToken();
      const body = await expectError(await register({ redirect_uris: [REDIRECT_URI], ...metadata }, minted.initial_access_token), 400, "invalid_client_metadata", field);
      expect(body.error_description).toMatch(message);
      const tokens = await json<{ tokens: Array<{ id: string; used: number }> }>(await admin("GET", "/registration-tokens"));
      expect(tokens.tokens.find((t) => t.id === minted.token.id)?.used).toBe(0);
    }
  });
});

describe("client configuration endpoint: the same rules on update (RFC 7592 §2.2)", () => {
  /** The registration as an RFC 7592 PUT body, with `changes`. */
  function update(info: ClientInformation, changes: Record<string, unknown>): Record<string, unknown> {
    const { registration_access_token: _t, registration_client_uri: _u, client_secret_expires_at: _e, client_id_issued_at: _i, ...metadata } = info;
    return { ...metadata, ...changes };
  }

  it("refuses encryption without a key (the registration and its token unchanged), then turns it on once the key is sent", async () => {
    const info = await registered({});
    const refused = await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { userinfo_encrypted_response_alg: "RSA-OAEP-256" }));
    await expectError(refused, 400, "invalid_client_metadata", "userinfo_encrypted_response_alg");

    const key = await rpKey("RSA-OAEP-256");
    const res = await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { jwks: { keys: [key.publicJwk] }, userinfo_encrypted_response_alg: "RSA-OAEP-256" }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ userinfo_encrypted_response_alg: "RSA-OAEP-256", userinfo_encrypted_response_enc: "A128CBC-HS256" });
  });
});
