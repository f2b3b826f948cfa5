import { describe, expect, it } from "vitest";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { envWith, register, REDIRECT } from "../registration/helpers";
import { clientAssertion, CLIENT_ASSERTION_TYPE, keyPair } from "./helpers";

/** Registering private_key_jwt clients: operator API and dynamic registration (RFC 7591 §2, OIDC DCR §2, RFC 9101 §10.5). */
describe("registering private_key_jwt clients", () => {
  it("operator API: keys by value or jwks_uri, the signing algorithms, no secret, and rotate-secret refused", async () => {
    const key = await keyPair();
    const id = `pkjwt-${crypto.randomUUID().slice(0, 8)}`;
    const res = await admin("PUT", `/clients/${id}`, {
      client_name: "Key app",
      client_type: "confidential",
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "private_key_jwt",
      jwks_uri: "https://rp.example/jwks/none",
      token_endpoint_auth_signing_alg: "ES256",
      request_object_signing_alg: "PS256",
      require_signed_request_object: true,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = await json<{ client: Record<string, unknown>; client_secret?: string }>(res);
    expect(body.client_secret).toBeUndefined();
    expect(body.client).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://rp.example/jwks/none", token_endpoint_auth_signing_alg: "ES256", request_object_signing_alg: "PS256", require_signed_request_object: true });
    const rotate = await admin("POST", `/clients/${id}/rotate-secret`);
    expect(rotate.status).toBe(400);
    // A secret given with private_key_jwt is refused, not stored.
    const withSecret = await admin("PUT", `/clients/${id}-2`, { client_name: "x", client_type: "confidential", redirect_uris: [REDIRECT], token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] }, client_secret: "a-long-secret" });
    expect(withSecret.status).toBe(400);
    expect((await admin("GET", `/clients/${id}-2`)).status).toBe(404);
  });

  it("dynamic registration: private_key_jwt with jwks gets no secret, and its assertions authenticate (at /revoke)", async () => {
    const key = await keyPair();
    const workerEnv = envWith({ REGISTRATION: "open" });
    const res = await register({ redirect_uris: [REDIRECT], token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] }, token_endpoint_auth_signing_alg: "ES256" }, undefined, workerEnv);
    expect(res.status, await res.clone().text()).toBe(201);
    const info = await json<Record<string, unknown>>(res);
    expect(info.client_secret).toBeUndefined();
    expect(info.client_secret_expires_at).toBeUndefined();
    expect(info).toMatchObject({ token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_signing_alg: "ES256" });
    const clientId = info.client_id as string;
    const revoke = (assertion: string) =>
      call("/revoke", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: "not-a-token", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion }) });
    expect((await revoke(await clientAssertion(key, clientId, { aud: `${ORIGIN}/revoke` }))).status).toBe(200);
    // Its registered algorithm is enforced: a PS256 assertion from another key type is refused.
    const rsa = await keyPair("PS256");
    expect((await revoke(await clientAssertion(rsa, clientId, { aud: `${ORIGIN}/revoke` }))).status).toBe(401);
  });

  it("dynamic registration: private_key_jwt without keys, or client_secret_jwt, is invalid_client_metadata", async () => {
    const workerEnv = envWith({ REGISTRATION: "open" });
    for (const metadata of [{ token_endpoint_auth_method: "private_key_jwt" }, { token_endpoint_auth_method: "client_secret_jwt" }]) {
      const res = await register({ redirect_uris: [REDIRECT], ...metadata }, undefined, workerEnv);
      expect(res.status).toBe(400);
      expect((await json<{ error: string }>(res)).error).toBe("invalid_client_metadata");
    }
  });

  it("RFC 8628 §3.1: /device_authorization authenticates a private_key_jwt client with its own URL as aud", async () => {
    const key = await keyPair();
    const id = `pkjwt-dev-${crypto.randomUUID().slice(0, 8)}`;
    const put = await admin("PUT", `/clients/${id}`, { client_name: "TV", client_type: "confidential", redirect_uris: [REDIRECT], grant_types: ["urn:ietf:params:oauth:grant-type:device_code"], scope: "openid", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [key.publicJwk] } });
    expect(put.status).toBe(201);
    const res = await call("/device_authorization", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ scope: "openid", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, id, { aud: `${ORIGIN}/device_authorization` }) }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });
});
