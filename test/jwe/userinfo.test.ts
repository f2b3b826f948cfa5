import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { call, json, ORIGIN } from "../helpers/http";
import { discover } from "../helpers/oidc";
import { codeTokens, decrypt, encryptingClient, headerOf, partsOf, rpKey, verifyWithProviderJwks } from "./helpers";

/** The body as text (workerd warns when .text() reads a non-text media type such as application/jwt). */
const bodyText = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());
const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });

describe("signed and encrypted UserInfo responses (OIDC Core §5.3.2)", () => {
  it("userinfo_signed_response_alg: a JWT (application/jwt) signed with our key, with iss and aud added", async () => {
    const client = await encryptingClient({ userinfo_signed_response_alg: "RS256" });
    const tokens = await codeTokens(client);
    const res = await userinfo(tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/jwt");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const jwt = await bodyText(res);
    expect(headerOf(jwt).alg).toBe("RS256");
    const claims = await verifyWithProviderJwks(jwt, { audience: client.clientId });
    expect(claims).toMatchObject({ iss: ORIGIN, aud: client.clientId, sub: decodeJwt(tokens.access_token).sub, email: expect.stringContaining("@example.com") });
    // No exp/iat: the response cannot pass for an ID token or access token anywhere we verify one.
    expect(claims.exp).toBeUndefined();

    // An independent RP library takes it as a UserInfo JWT too.
    const as = await discover();
    const viaLibrary = await oauth.processUserInfoResponse(as, { client_id: client.clientId, userinfo_signed_response_alg: "RS256" }, claims.sub!, await userinfo(tokens.access_token));
    expect(viaLibrary.sub).toBe(claims.sub);
  });

  it("signed and encrypted: a nested JWT (cty JWT) the client decrypts, then verifies", async () => {
    const key = await rpKey("ECDH-ES+A256KW");
    const client = await encryptingClient({
      jwks: { keys: [key.publicJwk] },
      userinfo_signed_response_alg: "ES256",
      userinfo_encrypted_response_alg: "ECDH-ES+A256KW",
      userinfo_encrypted_response_enc: "A256GCM",
    });
    const tokens = await codeTokens(client);
    const res = await userinfo(tokens.access_token);
    expect(res.headers.get("Content-Type")).toBe("application/jwt");
    const jwe = await bodyText(res);
    expect(headerOf(jwe)).toMatchObject({ alg: "ECDH-ES+A256KW", enc: "A256GCM", cty: "JWT", kid: key.kid, epk: { kty: "EC", crv: "P-256" } });
    const { plaintext } = await decrypt(jwe, key, "A256GCM");
    const claims = await verifyWithProviderJwks(plaintext, { audience: client.clientId });
    expect(claims).toMatchObject({ iss: ORIGIN, aud: client.clientId, sub: decodeJwt(tokens.access_token).sub, name: "Ada Lovelace" });

    // An independent RP library, given the decryption hook, reads the same claims.
    const rpClient = { client_id: client.clientId, userinfo_signed_response_alg: "ES256" };
    const viaLibrary = await oauth.processUserInfoResponse(await discover(), rpClient, claims.sub!, await userinfo(tokens.access_token), {
      [oauth.jweDecrypt]: async (jwe: string) => (await decrypt(jwe, key, "A256GCM")).plaintext,
    });
    expect(viaLibrary.name).toBe("Ada Lovelace");
  });

  it("encrypted only (no signing alg, which §5.3.2 allows): the claims JSON is the JWE's plaintext, with iss and aud", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const client = await encryptingClient({ jwks: { keys: [key.publicJwk] }, userinfo_encrypted_response_alg: "RSA-OAEP-256" });
    const tokens = await codeTokens(client);
    const res = await userinfo(tokens.access_token);
    expect(res.headers.get("Content-Type")).toBe("application/jwt");
    const jwe = await bodyText(res);
    expect(partsOf(jwe)).toBe(5);
    expect(headerOf(jwe)).toEqual({ alg: "RSA-OAEP-256", enc: "A128CBC-HS256", kid: key.kid });
    const claims = JSON.parse((await decrypt(jwe, key, "A128CBC-HS256")).plaintext) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: ORIGIN, aud: client.clientId, sub: decodeJwt(tokens.access_token).sub, given_name: "Ada" });
  });

  it("a client without the metadata still gets JSON, with no iss or aud added (no regression)", async () => {
    const tokens = await codeTokens(await encryptingClient({}));
    const res = await userinfo(tokens.access_token);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = await json<Record<string, unknown>>(res);
    expect(body.sub).toBe(decodeJwt(tokens.access_token).sub);
    expect(body).not.toHaveProperty("iss");
    expect(body).not.toHaveProperty("aud");
  });
});

describe("discovery (OIDC Discovery 1.0 §3)", () => {
  it("lists the encryption algorithms and encodings and the UserInfo signing algorithms", async () => {
    const metadata = await json<Record<string, unknown>>(await call("/.well-known/openid-configuration"));
    const algs = ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"];
    const encs = ["A128CBC-HS256", "A256GCM"];
    expect(metadata).toMatchObject({
      id_token_encryption_alg_values_supported: algs,
      id_token_encryption_enc_values_supported: encs,
      userinfo_signing_alg_values_supported: ["ES256", "RS256"],
      userinfo_encryption_alg_values_supported: algs,
      userinfo_encryption_enc_values_supported: encs,
    });
  });
});
