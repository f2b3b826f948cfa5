import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getClient } from "../../src/router/clients/registry";
import { admin, json } from "../helpers/http";
import { authenticate, basic, config, expectError, putClient, type ClientResponse } from "./helpers";

const WEB = {
  client_name: "Web app",
  client_type: "confidential",
  redirect_uris: ["https://app.example/cb", "http://127.0.0.1:3000/cb"],
  grant_types: ["authorization_code", "refresh_token"],
  scope: "openid profile email",
};
const SPA = { client_name: "SPA", client_type: "public", redirect_uris: ["https://spa.example/cb"] };

describe("operator API: client CRUD", () => {
  it("creates a confidential client with a generated secret shown once, and reads it back", async () => {
    const created = await putClient("crud-web", WEB);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.client).toMatchObject({
      client_id: "crud-web",
      client_type: "confidential",
      token_endpoint_auth_method: "client_secret_basic",
      redirect_uris: WEB.redirect_uris,
      post_logout_redirect_uris: [],
      grant_types: WEB.grant_types,
      scope: "openid profile email",
      id_token_signed_response_alg: "ES256",
    });
    const read = await json<ClientResponse>(await admin("GET", "/clients/crud-web"));
    expect(read.client).toEqual(created.client);
    expect(JSON.stringify(read)).not.toContain(created.client_secret!);
    expect(JSON.stringify(read)).not.toMatch(/secret_hash|secretHash/);
  });

  it("creates a public client with method none and no secret", async () => {
    const created = await putClient("crud-spa", SPA);
    expect(created.client_secret).toBeUndefined();
    expect(created.client.token_endpoint_auth_method).toBe("none");
  });

  it("registers client_secret_post when asked, and post-logout redirect URIs", async () => {
    const body = { ...WEB, token_endpoint_auth_method: "client_secret_post", post_logout_redirect_uris: ["https://app.example/bye"] };
    const created = await putClient("crud-post", body);
    expect(created.client).toMatchObject({ token_endpoint_auth_method: "client_secret_post", post_logout_redirect_uris: ["https://app.example/bye"] });
    const client = await authenticate({ clientId: "crud-post", clientSecret: created.client_secret! });
    expect(client.postLogoutRedirectUris).toEqual(["https://app.example/bye"]);
  });

  it("updating keeps the stored secret and shows none (200)", async () => {
    const created = await putClient("crud-update", WEB);
    const updated = await putClient("crud-update", { ...WEB, client_name: "Renamed" }, 200);
    expect(updated.client_secret).toBeUndefined();
    expect(updated.client).toMatchObject({ client_name: "Renamed", created_at: created.client.created_at });
    await expect(authenticate({ authorization: basic("crud-update", created.client_secret!) })).resolves.toMatchObject({ clientName: "Renamed" });
  });

  it("turning a public client confidential generates (and shows) a secret; back to public drops it", async () => {
    await putClient("crud-flip", SPA);
    const flipped = await putClient("crud-flip", { ...SPA, client_type: "confidential" }, 200);
    expect(flipped.client_secret).toEqual(expect.any(String));
    await expect(authenticate({ authorization: basic("crud-flip", flipped.client_secret!) })).resolves.toBeTruthy();
    await putClient("crud-flip", SPA, 200);
    await expect(authenticate({ clientId: "crud-flip" })).resolves.toMatchObject({ clientType: "public", secretHash: null });
  });

  it("lists clients by id; deletes one (204, then 404)", async () => {
    await putClient("crud-list-b", SPA);
    await putClient("crud-list-a", SPA);
    const { clients } = await json<{ clients: Array<{ client_id: string }> }>(await admin("GET", "/clients"));
    const ids = clients.map((c) => c.client_id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(["crud-list-a", "crud-list-b"]));
    expect((await admin("DELETE", "/clients/crud-list-a")).status).toBe(204);
    await expectError(await admin("GET", "/clients/crud-list-a"), 404, "not_found");
    await expectError(await admin("DELETE", "/clients/crud-list-a"), 404, "not_found");
  });

  it("rotates a secret: the new one works, the old one no longer does; public clients have none to rotate", async () => {
    const created = await putClient("crud-rotate", WEB);
    const res = await admin("POST", "/clients/crud-rotate/rotate-secret");
    expect(res.status).toBe(200);
    const { client_secret } = await json<{ client_secret: string }>(res);
    expect(client_secret).not.toBe(created.client_secret);
    await expect(authenticate({ authorization: basic("crud-rotate", client_secret) })).resolves.toBeTruthy();
    await putClient("crud-rotate-spa", SPA);
    await expectError(await admin("POST", "/clients/crud-rotate-spa/rotate-secret"), 400, "invalid_request", "public");
  });
});

describe("concurrent creation of one client", () => {
  it("of 5 racing PUTs exactly one creates (201 + secret); every secret handed out authenticates", async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => admin("PUT", "/clients/race-web", WEB)));
    const bodies = await Promise.all(responses.map((r) => json<ClientResponse>(r)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 201]);
    const secrets = bodies.flatMap((b) => (b.client_secret === undefined ? [] : [b.client_secret]));
    expect(secrets).toHaveLength(1);
    for (const secret of secrets) {
      await expect(authenticate({ authorization: basic("race-web", secret) })).resolves.toMatchObject({ clientId: "race-web" });
    }
  });

  it("5 racing PUTs that turn a public client confidential hand out one secret, and it works", async () => {
    await putClient("race-flip", SPA);
    const responses = await Promise.all(Array.from({ length: 5 }, () => admin("PUT", "/clients/race-flip", { ...SPA, client_type: "confidential" })));
    const bodies = await Promise.all(responses.map((r) => json<ClientResponse>(r)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const secrets = bodies.flatMap((b) => (b.client_secret === undefined ? [] : [b.client_secret]));
    expect(secrets).toHaveLength(1);
    await expect(authenticate({ authorization: basic("race-flip", secrets[0]!) })).resolves.toBeTruthy();
  });
});

describe("validation: bad registrations → 400 naming the field, nothing stored", () => {
  it.each([
    ["a redirect URI with a fragment", { ...WEB, redirect_uris: ["https://app.example/cb#x"] }, "redirect_uris"],
    ["an http redirect URI on a public host", { ...WEB, redirect_uris: ["http://app.example/cb"] }, "redirect_uris"],
    ["a relative redirect URI", { ...WEB, redirect_uris: ["/cb"] }, "redirect_uris"],
    ["a bad post-logout redirect URI", { ...WEB, post_logout_redirect_uris: ["javascript:alert(1)"] }, "post_logout_redirect_uris"],
    ["post_logout_redirect_uris not an array", { ...WEB, post_logout_redirect_uris: "https://app.example/" }, "post_logout_redirect_uris"],
    ["a public client with a secret", { ...SPA, client_secret: "s3cret-s3cret" }, "client_secret"],
    ["a public client with client_secret_basic", { ...SPA, token_endpoint_auth_method: "client_secret_basic" }, "token_endpoint_auth_method"],
    ["a public client with client_secret_post", { ...SPA, token_endpoint_auth_method: "client_secret_post" }, "token_endpoint_auth_method"],
    ["a confidential client with none", { ...WEB, token_endpoint_auth_method: "none" }, "token_endpoint_auth_method"],
    ["an unknown auth method", { ...WEB, token_endpoint_auth_method: "tls_client_auth" }, "token_endpoint_auth_method"],
    ["client_secret_jwt without CLIENT_SECRET_KEY", { ...WEB, token_endpoint_auth_method: "client_secret_jwt" }, "CLIENT_SECRET_KEY"],
    ["private_key_jwt without keys (RFC 7523 §2.2)", { ...WEB, token_endpoint_auth_method: "private_key_jwt" }, "jwks"],
  ])("%s", async (_case, body, field) => {
    await expectError(await admin("PUT", "/clients/invalid-client", body), 400, "invalid_request", field);
    await expectError(await admin("GET", "/clients/invalid-client"), 404, "not_found");
  });

  it("a public client registered with an explicit none is fine", async () => {
    const created = await putClient("valid-none", { ...SPA, token_endpoint_auth_method: "none" });
    expect(created.client.token_endpoint_auth_method).toBe("none");
  });
});

describe("the registry cache sees operator changes in the same isolate at once", () => {
  it("a rotated secret works immediately and the old one fails, even with the client cached", async () => {
    const { client_secret: old } = await putClient("cache-rotate", WEB);
    await authenticate({ authorization: basic("cache-rotate", old!) }); // now cached
    const { client_secret: fresh } = await json<{ client_secret: string }>(await admin("POST", "/clients/cache-rotate/rotate-secret"));
    await expect(authenticate({ authorization: basic("cache-rotate", fresh) })).resolves.toBeTruthy();
    await expect(authenticate({ authorization: basic("cache-rotate", old!) })).rejects.toMatchObject({ code: "invalid_client" });
  });

  it("a deleted client is gone at once; a re-created one appears at once (no stale negative entry)", async () => {
    await putClient("cache-delete", SPA);
    expect(await getClient(env, config, "cache-delete")).not.toBeNull();
    await admin("DELETE", "/clients/cache-delete");
    expect(await getClient(env, config, "cache-delete")).toBeNull(); // negative result cached now
    await putClient("cache-delete", SPA);
    expect(await getClient(env, config, "cache-delete")).not.toBeNull();
  });
});
