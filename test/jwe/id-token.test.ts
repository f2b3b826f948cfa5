import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { accessTokenHash } from "../../src/oauth/claims";
import { issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { TestBrowser } from "../helpers/browser";
import { createUser, discover, registerClient } from "../helpers/oidc";
import { poll, startDevice, visitAndDecide } from "../device/helpers";
import { codeTokens, decrypt, encryptingClient, headerOf, partsOf, rpKey, verifyWithProviderJwks, type TokenBody } from "./helpers";

describe("encrypted ID tokens (OIDC Core §10.2: signed, then encrypted to the client's key)", () => {
  it("RSA-OAEP-256 with the default enc A128CBC-HS256 (OIDC Registration §2): the client decrypts, then verifies our signature", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const client = await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256" });
    const tokens = await codeTokens(client);

    expect(partsOf(tokens.id_token)).toBe(5);
    // RFC 7516 §4.1; OIDC Core §10.2 (cty "JWT" for a nested JWT, RFC 7519 §5.2); the kid tells the client which key.
    expect(headerOf(tokens.id_token)).toEqual({ alg: "RSA-OAEP-256", enc: "A128CBC-HS256", cty: "JWT", kid: key.kid });
    const { plaintext } = await decrypt(tokens.id_token, key, "A128CBC-HS256");
    expect(partsOf(plaintext)).toBe(3);
    const claims = await verifyWithProviderJwks(plaintext, { audience: client.clientId });
    expect(claims).toMatchObject({ aud: client.clientId, azp: client.clientId, nonce: tokens.nonce, at_hash: await accessTokenHash(tokens.access_token) });
  });

  it("carries the same claims as an unencrypted ID token of a client without the metadata (whose token stays a plain JWS)", async () => {
    const key = await rpKey("ECDH-ES+A256KW");
    const sealed = await codeTokens(await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "ECDH-ES+A256KW", id_token_encrypted_response_enc: "A256GCM" }));
    const plain = await codeTokens(await encryptingClient({ jwks: { keys: [key.publicJwk] } }));

    expect(partsOf(plain.id_token)).toBe(3);
    expect(headerOf(plain.id_token)).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect(headerOf(sealed.id_token)).toMatchObject({ alg: "ECDH-ES+A256KW", enc: "A256GCM", cty: "JWT", kid: key.kid });
    const inner = (await decrypt(sealed.id_token, key, "A256GCM")).plaintext;
    expect(headerOf(inner)).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect(Object.keys(await verifyWithProviderJwks(inner)).sort()).toEqual(Object.keys(decodeJwt(plain.id_token)).sort());
  });

  it("ECDH-ES (direct key agreement, RFC 7518 §4.6) with A256GCM, decrypted through oauth4webapi's jweDecrypt hook", async () => {
    const key = await rpKey("ECDH-ES");
    const client = await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "ECDH-ES", id_token_encrypted_response_enc: "A256GCM" });
    const issued = await issueCode(client.clientId);
    const as = await discover();
    const rpClient: oauth.Client = { client_id: client.clientId };
    const res = await tokenRequest(redeemFields(issued), client.auth);
    const decrypted = await oauth.processAuthorizationCodeResponse(as, rpClient, res, {
      expectedNonce: issued.nonce,
      [oauth.jweDecrypt]: async (jwe: string) => (await decrypt(jwe, key, "A256GCM")).plaintext,
    });
    const claims = oauth.getValidatedIdTokenClaims(decrypted)!;
    expect(claims.aud).toBe(client.clientId);
    expect(claims.iss).toBe(ORIGIN);
    expect(claims.nonce).toBe(issued.nonce);
  });

  it("the refresh grant's ID token is encrypted too (OIDC Core §12.2)", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const client = await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256", id_token_encrypted_response_enc: "A256GCM" });
    const first = await codeTokens(client);
    const res = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token! }, client.auth);
    expect(res.status).toBe(200);
    const refreshed = await json<TokenBody>(res);
    expect(headerOf(refreshed.id_token)).toMatchObject({ alg: "RSA-OAEP-256", enc: "A256GCM", cty: "JWT" });
    const claims = await verifyWithProviderJwks((await decrypt(refreshed.id_token, key, "A256GCM")).plaintext, { audience: client.clientId });
    expect(claims.sub).toBe(decodeJwt(first.access_token).sub);
  });

  it("the device grant's ID token is encrypted too (RFC 8628 §3.5 token response, OIDC Core §10.2)", async () => {
    const key = await rpKey("ECDH-ES");
    const client = await registerClient("public", {
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code"],
      jwks: { keys: [key.publicJwk] },
      id_token_encrypted_response_alg: "ECDH-ES",
    });
    const authorization = await startDevice(client);
    await visitAndDecide(new TestBrowser(), authorization, await createUser(), "allow");
    const res = await poll(client, authorization.device_code);
    expect(res.status).toBe(200);
    const { id_token } = await json<TokenBody>(res);
    expect(headerOf(id_token)).toMatchObject({ alg: "ECDH-ES", enc: "A128CBC-HS256", cty: "JWT", kid: key.kid });
    expect((await verifyWithProviderJwks((await decrypt(id_token, key, "A128CBC-HS256")).plaintext)).aud).toBe(client.clientId);
  });

  it("a new key registered by the operator is used from the next token on (the isolate's imported key goes with the old registration)", async () => {
    const first = await rpKey("RSA-OAEP-256");
    const client = await encryptingClient({ jwks: { keys: [first.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256" });
    expect(headerOf((await codeTokens(client)).id_token).kid).toBe(first.kid);

    const second = await rpKey("RSA-OAEP-256");
    const current = await json<{ client: Record<string, unknown> }>(await admin("GET", `/clients/${client.clientId}`));
    const { client_id: _id, registered_dynamically: _d, initial_access_token_id: _t, metadata: _m, created_at: _c, updated_at: _u, ...settings } = current.client;
    const res = await admin("PUT", `/clients/${client.clientId}`, { ...settings, jwks: { keys: [second.publicJwk] } });
    expect(res.status, await res.clone().text()).toBe(200);

    const rotated = await codeTokens(client);
    expect(headerOf(rotated.id_token).kid).toBe(second.kid);
    expect(partsOf((await decrypt(rotated.id_token, second, "A128CBC-HS256")).plaintext)).toBe(3);
    await expect(decrypt(rotated.id_token, first, "A128CBC-HS256")).rejects.toThrow();
  });

  it("picks the key that fits the alg: a signing key and an RSA key are skipped for ECDH-ES+A128KW", async () => {
    const wanted = await rpKey("ECDH-ES+A128KW");
    const signing = { ...(await rpKey("ECDH-ES")).publicJwk, use: "sig" };
    const rsa = (await rpKey("RSA-OAEP-256")).publicJwk;
    const client = await encryptingClient({ jwks: { keys: [signing, rsa, wanted.publicJwk] }, id_token_encrypted_response_alg: "ECDH-ES+A128KW" });
    const tokens = await codeTokens(client);
    expect(headerOf(tokens.id_token)).toMatchObject({ alg: "ECDH-ES+A128KW", kid: wanted.kid });
    expect(partsOf((await decrypt(tokens.id_token, wanted, "A128CBC-HS256")).plaintext)).toBe(3);
  });
});

describe("an encrypted ID token as id_token_hint (OpenID Connect RP-Initiated Logout 1.0 §2)", () => {
  it("is refused with a message that says to send the signed token inside it; the signed one is accepted", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const client = await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256" });
    const tokens = await codeTokens(client);
    const refused = await call(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token })}`);
    expect(refused.status).toBe(400);
    const text = await refused.text();
    expect(text).toContain("id_token_hint is encrypted");
    expect(text).toContain("send the signed ID token from inside it");

    const inner = (await decrypt(tokens.id_token, key, "A128CBC-HS256")).plaintext;
    const accepted = await call(`/logout?${new URLSearchParams({ id_token_hint: inner })}`);
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).not.toContain("id_token_hint");
  });
});

describe("an encrypted ID token where an access token belongs (RFC 6750 §3.1)", () => {
  it("is invalid_token at /userinfo, never a 500", async () => {
    const key = await rpKey("RSA-OAEP-256");
    const tokens = await codeTokens(await encryptingClient({ jwks: { keys: [key.publicJwk] }, id_token_encrypted_response_alg: "RSA-OAEP-256" }));
    const res = await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.id_token}` } });
    expect(res.status).toBe(401);
    expect((await json<{ error: string }>(res)).error).toBe("invalid_token");
  });
});
