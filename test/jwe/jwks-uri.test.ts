import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetFetchedJwks } from "../../src/router/clients/client-keys";
import { forgetClient } from "../../src/router/clients/registry";
import { issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { REDIRECT_URI } from "../helpers/oidc";
import { codeTokens, decrypt, encryptingClient, headerOf, rpKey, verifyWithProviderJwks, type TokenBody } from "./helpers";

/** A relying party's jwks_uri, served by the test's receiver worker (test/support/rp-receiver.mjs). */
async function servedJwks(body: unknown): Promise<{ uri: string; key: string }> {
  const key = crypto.randomUUID();
  await setServed(key, body);
  return { uri: `https://rp.example/jwks/${key}`, key };
}
async function setServed(key: string, body: unknown): Promise<void> {
  await env.RP_RECEIVER.fetch(`http://rp/jwks/${key}`, { method: "PUT", body: typeof body === "string" ? body : JSON.stringify(body) });
}
const readsOf = async (key: string) => (await env.RP_RECEIVER.fetch(`http://rp/jwks-reads/${key}`)).json<number>();

describe("the client's encryption key by reference: jwks_uri (RFC 7591 §2)", () => {
  it("encrypts to the key published at jwks_uri, read once per isolate rather than per token", async () => {
    const rpEnc = await rpKey("RSA-OAEP-256");
    const served = await servedJwks({ keys: [rpEnc.publicJwk] });
    const client = await encryptingClient({ jwks_uri: served.uri, id_token_encrypted_response_alg: "RSA-OAEP-256" });
    for (let i = 0; i < 2; i++) {
      const { id_token } = await codeTokens(client);
      expect(headerOf(id_token)).toMatchObject({ alg: "RSA-OAEP-256", kid: rpEnc.kid });
      expect((await verifyWithProviderJwks((await decrypt(id_token, rpEnc, "A128CBC-HS256")).plaintext)).aud).toBe(client.clientId);
    }
    expect(await readsOf(served.key)).toBe(1);
  });

  it("registration refuses a jwks_uri that cannot be read or holds no usable key, naming jwks_uri", async () => {
    const missing = `https://rp.example/jwks/${crypto.randomUUID()}`;
    const signingOnly = await servedJwks({ keys: [{ ...(await rpKey("ECDH-ES")).publicJwk, use: "sig" }] });
    const cases: Array<[string, RegExp]> = [
      [missing, /^jwks_uri: \S+ answered 404/],
      [signingOnly.uri, /^jwks_uri: jwks_uri has no key usable for ECDH-ES/],
    ];
    for (const [uri, message] of cases) {
      const id = `jwe-uri-${crypto.randomUUID().slice(0, 8)}`;
      const res = await admin("PUT", `/clients/${id}`, {
        client_name: "By reference", client_type: "confidential", redirect_uris: [REDIRECT_URI], jwks_uri: uri, userinfo_encrypted_response_alg: "ECDH-ES",
      });
      expect(res.status).toBe(400);
      expect((await json<{ error_description: string }>(res)).error_description).toMatch(message);
      expect((await admin("GET", `/clients/${id}`)).status).toBe(404);
    }
  });

  it("keys that cannot be read at /token: 503 with Retry-After before the code is spent, so the same code works once they are back", async () => {
    const rpEnc = await rpKey("ECDH-ES");
    const served = await servedJwks({ keys: [rpEnc.publicJwk] });
    const client = await encryptingClient({ jwks_uri: served.uri, id_token_encrypted_response_alg: "ECDH-ES", id_token_encrypted_response_enc: "A256GCM" });
    const issued = await issueCode(client.clientId);

    // The relying party's key server goes down, and this isolate's cached registration and key set expire.
    await setServed(served.key, "down");
    forgetClient(client.clientId);
    forgetFetchedJwks();
    const refused = await tokenRequest(redeemFields(issued), client.auth);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("10");
    expect((await json<{ error: string }>(refused)).error).toBe("temporarily_unavailable");

    await setServed(served.key, { keys: [rpEnc.publicJwk] });
    forgetFetchedJwks();
    const res = await tokenRequest(redeemFields(issued), client.auth);
    expect(res.status, await res.clone().text()).toBe(200);
    const { id_token } = await json<TokenBody>(res);
    expect((await decrypt(id_token, rpEnc, "A256GCM")).plaintext.split(".")).toHaveLength(3);
  });
});
