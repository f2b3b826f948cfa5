import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admin, call, json } from "../helpers/http";
import { registerClient as operatorClient } from "../helpers/oidc";
import { configure, expectError, REDIRECT, registered, type ClientInformation } from "./helpers";

/** A client_credentials request, to see whether the client's secret still works at /token. */
function tokenRequest(clientId: string, secret: string): Promise<Response> {
  return call("/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: "grant_type=client_credentials",
  });
}

/** The PUT body a client sends: what it was told, with changes (RFC 7592 §2.2). */
function update(info: ClientInformation, changes: Record<string, unknown>): Record<string, unknown> {
  const { registration_access_token: _t, registration_client_uri: _u, client_secret_expires_at: _e, client_id_issued_at: _i, ...metadata } = info;
  return { ...metadata, ...changes };
}

describe("client configuration endpoint (RFC 7592)", () => {
  it("reads the registration with its registration access token (§2.1): same metadata, the secret not shown again", async () => {
    const info = await registered({ client_name: "Reader" });
    const res = await configure("GET", info.registration_client_uri, info.registration_access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const read = await json<ClientInformation>(res);
    const { client_secret: _secret, ...rest } = info;
    expect(read).toEqual(rest);
    expect(JSON.stringify(read)).not.toContain(info.client_secret!);
  });

  it("updates (§2.2): replaces the metadata, resets omitted members, rotates the token; the old token stops working", async () => {
    const info = await registered({ client_name: "Before", contacts: ["a@rp.example"], backchannel_logout_uri: "https://rp.example/bc" });
    const { contacts: _c, backchannel_logout_uri: _b, ...rest } = update(info, { client_name: "After", scope: "openid email" });
    const res = await configure("PUT", info.registration_client_uri, info.registration_access_token, rest);
    expect(res.status, await res.clone().text()).toBe(200);
    const updated = await json<ClientInformation>(res);
    expect(updated).toMatchObject({ client_id: info.client_id, client_name: "After", scope: "openid email", client_id_issued_at: info.client_id_issued_at });
    expect(updated).not.toHaveProperty("contacts");
    expect(updated).not.toHaveProperty("backchannel_logout_uri");
    // The secret is kept (and not shown); the registration access token is new.
    expect(updated.client_secret).toBeUndefined();
    expect(updated.registration_access_token).not.toBe(info.registration_access_token);

    await expectError(await configure("GET", info.registration_client_uri, info.registration_access_token), 401, "invalid_token");
    expect((await configure("GET", info.registration_client_uri, updated.registration_access_token)).status).toBe(200);
    const { client } = await json<{ client: Record<string, unknown> }>(await admin("GET", `/clients/${info.client_id}`));
    expect(client).toMatchObject({ client_name: "After", backchannel_logout_uri: null, metadata: { application_type: "web" } });
  });

  it("of two updates racing with one token, one succeeds and the other is refused", async () => {
    const info = await registered();
    const body = update(info, {});
    const [a, b] = await Promise.all([0, 1].map(() => configure("PUT", info.registration_client_uri, info.registration_access_token, body)));
    expect([a!.status, b!.status].sort()).toEqual([200, 401]);
  });

  it("refuses an update whose client_id differs, or whose client_secret is not the current one (§2.2)", async () => {
    const info = await registered();
    await expectError(await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { client_id: "someone-else" })), 400, "invalid_client_metadata", "client_id");
    await expectError(
      await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { client_secret: "chosen-by-the-client" })),
      400,
      "invalid_client_metadata",
      "client_secret",
    );
    // Sending the current secret is fine, and the refused attempts did not rotate the token.
    expect((await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, {}))).status).toBe(200);
  });

  it("an update stays within the policy the client registered under", async () => {
    const info = await registered();
    const res = await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { grant_types: ["authorization_code", "client_credentials"] }));
    await expectError(res, 400, "invalid_client_metadata", "grant_types");
  });

  it("a client turning public loses its secret; turning confidential again gets a new one, shown once", async () => {
    const info = await registered({ grant_types: ["authorization_code", "refresh_token"] });
    const toPublic = await json<ClientInformation>(
      await configure("PUT", info.registration_client_uri, info.registration_access_token, update(info, { token_endpoint_auth_method: "none" })),
    );
    expect(toPublic.client_secret).toBeUndefined();
    const { client_secret: _s, ...publicInfo } = toPublic;
    const back = await json<ClientInformation>(
      await configure("PUT", info.registration_client_uri, toPublic.registration_access_token, update(publicInfo as ClientInformation, { token_endpoint_auth_method: "client_secret_post" })),
    );
    expect(back.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(back.client_secret).not.toBe(info.client_secret);
  });

  it("deletes (§2.3): 204, then the client's secret no longer works at /token and its token reads nothing", async () => {
    const info = await registered({ grant_types: ["client_credentials"], redirect_uris: [], scope: "reports:read" }, { grant_types: ["client_credentials"], scope: "reports:read" });
    // Works, and so warms the router's registry cache: the deletion must not be hidden by it.
    expect((await tokenRequest(info.client_id, info.client_secret!)).status).toBe(200);
    const res = await configure("DELETE", info.registration_client_uri, info.registration_access_token);
    expect(res.status).toBe(204);
    await expectError(await tokenRequest(info.client_id, info.client_secret!), 401, "invalid_client");
    await expectError(await configure("GET", info.registration_client_uri, info.registration_access_token), 401, "invalid_token");
    await expectError(await admin("GET", `/clients/${info.client_id}`), 404, "not_found");
  });

  it("another client's token, a wrong token and a client that does not exist get the same answer (§2.1)", async () => {
    const mine = await registered();
    const theirs = await registered();
    const answers = await Promise.all([
      configure("GET", mine.registration_client_uri, theirs.registration_access_token),
      configure("GET", mine.registration_client_uri, "a-token-nobody-was-given"),
      configure("GET", mine.registration_client_uri.replace(mine.client_id, "no-such-client"), theirs.registration_access_token),
      configure("PUT", mine.registration_client_uri, theirs.registration_access_token, update(mine, {})),
      configure("DELETE", mine.registration_client_uri, theirs.registration_access_token),
    ]);
    const seen = await Promise.all(answers.map(async (r) => ({ status: r.status, challenge: r.headers.get("WWW-Authenticate"), body: await r.text() })));
    for (const answer of seen) expect(answer).toEqual(seen[0]);
    expect(seen[0]!.status).toBe(401);
    expect(JSON.parse(seen[0]!.body)).toEqual({ error: "invalid_token", error_description: "the registration access token is not valid for this client" });
    // Nothing was changed by them.
    expect((await configure("GET", mine.registration_client_uri, mine.registration_access_token)).status).toBe(200);
  });

  it("refuses a request without a token with 401 and a Bearer challenge", async () => {
    const info = await registered();
    const res = await configure("GET", info.registration_client_uri, null);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="authshard"');
    await expectError(res, 401, "invalid_token");
  });

  it("cannot touch an operator-registered client, whatever the token", async () => {
    const { clientId } = await operatorClient("confidential");
    const stranger = await registered();
    const uri = stranger.registration_client_uri.replace(stranger.client_id, clientId);
    const answers = await Promise.all([
      configure("GET", uri, stranger.registration_access_token),
      configure("DELETE", uri, stranger.registration_access_token),
      configure("PUT", uri, stranger.registration_access_token, { client_id: clientId, redirect_uris: [REDIRECT] }),
    ]);
    for (const res of answers) await expectError(res, 401, "invalid_token");
    expect((await admin("GET", `/clients/${clientId}`)).status).toBe(200);
    const row = await env.DB.prepare("SELECT registration_token_hash FROM clients WHERE client_id = ?").bind(clientId).first<{ registration_token_hash: string | null }>();
    expect(row!.registration_token_hash).toBeNull();
  });
});
