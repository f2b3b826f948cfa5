import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/oauth/secrets";
import type { ClientRow } from "../../src/router/d1/clients";
import { insertDynamicClient } from "../../src/router/d1/dynamic-clients";
import { admin, call, json } from "../helpers/http";
import { expectError, mintToken, REDIRECT, register } from "./helpers";

interface TokenView {
  id: string;
  label: string | null;
  grant_types: string[];
  scope: string;
  token_endpoint_auth_methods: string[] | null;
  max_uses: number;
  used: number;
  expires_at: number;
  state: string;
}

async function listed(id: string): Promise<TokenView | undefined> {
  const { tokens } = await json<{ tokens: TokenView[] }>(await admin("GET", "/registration-tokens"));
  return tokens.find((t) => t.id === id);
}

describe("initial access tokens (RFC 7591 §3): the operator API", () => {
  it("mints a token with its policy, shows it once, stores only its hash, and lists it without it", async () => {
    const before = Date.now();
    const res = await admin("POST", "/registration-tokens", {
      grant_types: ["authorization_code", "refresh_token"],
      scope: "openid profile",
      token_endpoint_auth_methods: ["none"],
      max_uses: 3,
      ttl_s: 3600,
      label: "partner onboarding",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const minted = await json<{ initial_access_token: string; token: TokenView }>(res);
    expect(minted.initial_access_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(minted.token).toMatchObject({ label: "partner onboarding", grant_types: ["authorization_code", "refresh_token"], scope: "openid profile", token_endpoint_auth_methods: ["none"], max_uses: 3, used: 0, state: "active" });
    expect(minted.token.expires_at - before).toBeGreaterThanOrEqual(3600_000);
    expect(minted.token.expires_at - Date.now()).toBeLessThanOrEqual(3600_000);

    const row = await env.DB.prepare("SELECT * FROM registration_tokens WHERE id = ?").bind(minted.token.id).first<Record<string, unknown>>();
    expect(row!.token_hash).toBe(await sha256(minted.initial_access_token));
    expect(JSON.stringify(row)).not.toContain(minted.initial_access_token);

    const view = await listed(minted.token.id);
    expect(view).toEqual(minted.token);
    const { tokens } = await json<{ tokens: unknown[] }>(await admin("GET", "/registration-tokens"));
    expect(JSON.stringify(tokens)).not.toContain(minted.initial_access_token);
    expect(JSON.stringify(tokens)).not.toMatch(/token_hash|tokenHash/);
  });

  it("counts uses and reports used_up and expired tokens", async () => {
    const minted = await mintToken({ max_uses: 1 });
    expect((await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token)).status).toBe(201);
    expect(await listed(minted.token.id)).toMatchObject({ used: 1, state: "used_up" });
    const old = await mintToken();
    await env.DB.prepare("UPDATE registration_tokens SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, old.token.id).run();
    expect(await listed(old.token.id)).toMatchObject({ state: "expired" });
  });

  it("deletes a token (204): it registers nothing more, and the clients it registered stay", async () => {
    const minted = await mintToken({ max_uses: 5 });
    const first = await json<{ client_id: string }>(await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token));
    expect((await admin("DELETE", `/registration-tokens/${minted.token.id}`)).status).toBe(204);
    await expectError(await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token), 401, "invalid_token");
    await expectError(await admin("DELETE", `/registration-tokens/${minted.token.id}`), 404, "not_found");
    const { client } = await json<{ client: Record<string, unknown> }>(await admin("GET", `/clients/${first.client_id}`));
    expect(client).toMatchObject({ registered_dynamically: true, initial_access_token_id: minted.token.id });
  });

  it.each([
    [{ grant_types: ["password"] }, "grant_types"],
    [{ grant_types: ["urn:ietf:params:oauth:grant-type:token-exchange"] }, "grant_types"],
    [{ grant_types: [] }, "grant_types"],
    [{ scope: "openid  email" }, "scope"],
    [{ token_endpoint_auth_methods: ["tls_client_auth"] }, "token_endpoint_auth_methods"],
    [{ max_uses: 0 }, "max_uses"],
    [{ ttl_s: 10 }, "ttl_s"],
    [{ secret: "chosen" }, "secret"],
  ])("refuses the policy %j naming %s", async (body, field) => {
    const res = await admin("POST", "/registration-tokens", body);
    expect(res.status).toBe(400);
    expect((await json<{ error_description: string }>(res)).error_description).toContain(field);
  });

  it("is operator-only: no token, no minting", async () => {
    const res = await call("/admin/registration-tokens", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
  });
});

describe("the last use of an initial access token, raced", () => {
  it("of 8 registrations racing for a token's last use, exactly one gets it; the others are refused and store nothing", async () => {
    const minted = await mintToken({ max_uses: 2 });
    expect((await register({ redirect_uris: [REDIRECT] }, minted.initial_access_token)).status).toBe(201);

    const racers = await Promise.all(Array.from({ length: 8 }, (_, i) => register({ redirect_uris: [REDIRECT], client_name: `racer ${i}` }, minted.initial_access_token)));
    const statuses = racers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 401, 401, 401, 401, 401, 401, 401]);
    for (const loser of racers.filter((r) => r.status === 401)) await expectError(loser, 401, "invalid_token");

    const stored = await env.DB.prepare("SELECT count(*) AS n FROM clients WHERE initial_token_id = ?").bind(minted.token.id).first<{ n: number }>();
    expect(stored!.n).toBe(2);
    expect(await listed(minted.token.id)).toMatchObject({ used: 2, max_uses: 2, state: "used_up" });
  });

  it("the statement itself: of 8 inserts that all passed every earlier check, the one that takes the last use stores its client", async () => {
    // Below the endpoint's early look at the token: every caller here goes straight to the
    // batch (UPDATE ... WHERE used < max_uses, then INSERT ... WHERE changes() = 1).
    const minted = await mintToken({ max_uses: 1 });
    const hash = await sha256(minted.initial_access_token);
    const now = Date.now();
    const row = (i: number): ClientRow => ({
      clientId: `race-${minted.token.id}-${i}`,
      clientName: "racer",
      clientType: "public",
      secretHash: null,
      tokenEndpointAuthSigningAlg: null,
      requestObjectSigningAlg: null,
      requireSignedRequestObject: false,
      securityProfile: null,
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [],
      grantTypes: ["authorization_code"],
      scope: "openid",
      tokenEndpointAuthMethod: "none",
      idTokenSignedResponseAlg: "ES256",
      offlineSurvivesLogout: false,
      refreshGraceS: null,
      tokenExchangeAudiences: [],
      backchannelLogoutUri: null,
      backchannelLogoutSessionRequired: false,
      frontchannelLogoutUri: null,
      frontchannelLogoutSessionRequired: false,
      dpopBoundAccessTokens: false,
      jwks: null,
      jwksUri: null,
      subjectType: "public",
      requirePushedAuthorizationRequests: false,
      authorizationSignedResponseAlg: "ES256",
      responseTypes: ["code"],
      metadata: {},
      registrationTokenHash: `hash-${i}`,
      initialTokenId: minted.token.id,
      registrationPolicy: null,
      createdAt: now,
      updatedAt: now,
      backchannelTokenDeliveryMode: null,
      backchannelClientNotificationEndpoint: null,
      backchannelUserCodeParameter: false,
      idTokenEncryptedResponseAlg: null,
      idTokenEncryptedResponseEnc: null,
      userinfoSignedResponseAlg: null,
      userinfoEncryptedResponseAlg: null,
      userinfoEncryptedResponseEnc: null,
      mfaRequired: false,
    });
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => insertDynamicClient(env.DB, row(i), hash, now)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const stored = await env.DB.prepare("SELECT client_id FROM clients WHERE initial_token_id = ?").bind(minted.token.id).all<{ client_id: string }>();
    expect(stored.results.map((r) => r.client_id)).toEqual([`race-${minted.token.id}-${outcomes.indexOf(true)}`]);
    expect(await listed(minted.token.id)).toMatchObject({ used: 1 });
  });
});
