import { env, runDurableObjectAlarm } from "cloudflare:test";
import * as oauth from "oauth4webapi";
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { stubFor } from "../../src/shard/stub";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { basic, tokenRequest } from "../helpers/codes";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, discover, registerClient, rp } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";
import { envWith, register } from "../registration/helpers";

/**
 * Pairwise subject identifiers (OIDC Core §8.1, §17.3) as relying parties see them:
 * one sub per sector (the host of the client's redirect URIs), the same wherever a
 * client reads it, and still good enough to name the user at logout.
 */
type User = Awaited<ReturnType<typeof createUser>>;
interface App {
  clientId: string;
  secret: string;
  redirectUri: string;
  client: oauth.Client;
  auth: oauth.ClientAuth;
}

let as: oauth.AuthorizationServer;

async function app(redirectUris: string[], extra: Record<string, unknown> = {}): Promise<App> {
  const registered = await registerClient("confidential", { redirect_uris: redirectUris, subject_type: "pairwise", ...extra });
  return {
    clientId: registered.clientId,
    secret: registered.secret!,
    redirectUri: redirectUris[0]!,
    client: { client_id: registered.clientId },
    auth: oauth.ClientSecretBasic(registered.secret!),
  };
}

/** Authorize → login (unless the browser has a session) → consent → code → tokens, validated by oauth4webapi. */
async function signIn(rp_: App, user: User, browser = new TestBrowser()) {
  let res = await browser.get(
    authorizeUrl({ client_id: rp_.clientId, redirect_uri: rp_.redirectUri, response_type: "code", scope: "openid email offline_access", state: "st", nonce: "nn" }),
  );
  if (res.status === 200) {
    const html = await res.text();
    res = html.includes('action="login"')
      ? await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password })
      : new Response(html, { status: 200 });
  }
  if (res.status === 200) res = await browser.post("/consent", { interaction: hiddenField(await res.text(), "interaction"), decision: "allow" });
  const params = oauth.validateAuthResponse(as, rp_.client, redirectParams(res), "st");
  const response = await oauth.authorizationCodeGrantRequest(as, rp_.client, rp_.auth, params, rp_.redirectUri, oauth.nopkce, rp);
  const tokens = await oauth.processAuthorizationCodeResponse(as, rp_.client, response, { expectedNonce: "nn", requireIdToken: true });
  return { tokens, sub: oauth.getValidatedIdTokenClaims(tokens)!.sub, browser };
}

const userinfoSub = async (rp_: App, token: string, expected: string) =>
  (await oauth.processUserInfoResponse(as, rp_.client, expected, await oauth.userInfoRequest(as, rp_.client, token, rp))).sub;

const introspect = async (rp_: App, token: string) =>
  json<{ active: boolean; sub?: string }>(await call("/introspect", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(rp_.clientId, rp_.secret) }, body: new URLSearchParams({ token }).toString() }));

beforeAll(async () => {
  as = await discover();
});

describe("pairwise subject identifiers (OIDC Core §8.1)", () => {
  it("discovery lists both subject types (OIDC Discovery §3 subject_types_supported)", () => {
    expect(as.subject_types_supported).toEqual(["public", "pairwise"]);
  });

  it("§8.1: clients of different sectors see different subs; one client's sub is stable; two clients of one sector see the same", async () => {
    const user = await createUser();
    const a1 = await app(["https://sector-a.example/cb"]);
    const a2 = await app(["https://sector-a.example/other", "https://sector-a.example/cb2"]);
    const b = await app(["https://sector-b.example/cb"]);
    const publicApp = await registerClient("confidential", { redirect_uris: ["https://sector-a.example/cb"] });

    const browser = new TestBrowser();
    const first = await signIn(a1, user, browser);
    const again = await signIn(a1, user, new TestBrowser());
    const sameSector = await signIn(a2, user, browser);
    const otherSector = await signIn(b, user, browser);

    expect(first.sub).not.toBe(user.id);
    expect(first.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again.sub).toBe(first.sub);
    expect(sameSector.sub).toBe(first.sub);
    expect(otherSector.sub).not.toBe(first.sub);
    expect(otherSector.sub).not.toBe(user.id);

    // A public client on the very same host still sees the user id (the default, §8).
    const pub = { clientId: publicApp.clientId, secret: publicApp.secret!, redirectUri: "https://sector-a.example/cb", client: { client_id: publicApp.clientId }, auth: oauth.ClientSecretBasic(publicApp.secret!) };
    expect((await signIn(pub, user, browser)).sub).toBe(user.id);
  });

  it("§8.1, RFC 7662 §2.2: the ID token, /userinfo (also after a refresh) and introspection give the client one and the same sub", async () => {
    const user = await createUser();
    const a = await app(["https://consistent.example/cb"]);
    const { tokens, sub } = await signIn(a, user);
    expect(await userinfoSub(a, tokens.access_token, sub)).toBe(sub);
    expect(await introspect(a, tokens.access_token)).toMatchObject({ active: true, sub });
    expect(await introspect(a, tokens.refresh_token!)).toMatchObject({ active: true, sub });

    const refreshed = await oauth.processRefreshTokenResponse(as, a.client, await oauth.refreshTokenGrantRequest(as, a.client, a.auth, tokens.refresh_token!, rp));
    expect(oauth.getValidatedIdTokenClaims(refreshed)!.sub).toBe(sub);
    expect(await userinfoSub(a, refreshed.access_token, sub)).toBe(sub);
    // The access token is the provider's own (aud = issuer): it keeps the user id, by which it is routed to the user's shard.
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: user.id, aud: ORIGIN });
    // The ID token's user reference is sealed: the user id is not readable in it.
    expect(JSON.stringify(decodeJwt(tokens.id_token!))).not.toContain(user.id);
  });

  it("RP-Initiated Logout §2: a pairwise id_token_hint ends the session, with the browser's cookie or, cross-site, by its sid", async () => {
    const a = await app(["https://logout.example/cb"], { post_logout_redirect_uris: ["https://logout.example/bye"] });
    for (const crossSite of [false, true]) {
      const user = await createUser();
      const { tokens, browser } = await signIn(a, user);
      const hint = tokens.id_token!;
      const query = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: "https://logout.example/bye", state: "bye" });
      const res = crossSite
        ? await new TestBrowser().post("/logout", Object.fromEntries(query))
        : await browser.get(`/logout?${query}`);
      expect(res.status, await res.clone().text()).toBe(crossSite ? 303 : 302);
      expect(res.headers.get("location")).toBe("https://logout.example/bye?state=bye");
      // The session is over: a silent authorization must sign in again.
      const silent = await browser.get(authorizeUrl({ client_id: a.clientId, redirect_uri: a.redirectUri, response_type: "code", scope: "openid", prompt: "none", state: "x" }));
      expect(redirectParams(silent).get("error")).toBe("login_required");
      expect((await introspect(a, tokens.access_token)).active).toBe(false);
    }
  });

  it("Back-Channel Logout §2.4: the logout token names the user by the client's pairwise sub", async () => {
    const key = crypto.randomUUID();
    const a = await app(["https://bc-sector.example/cb"], { backchannel_logout_uri: `https://rp.example/ok/${key}` });
    const user = await createUser();
    const { sub } = await signIn(a, user);
    expect((await admin("DELETE", `/users/${user.id}/sessions`)).status).toBe(200);
    await runDurableObjectAlarm(stubFor(env, shardOf(await currentDirectoryMap(), bucketOf(user.id))));
    let got: Array<{ logout_token: string | null }> = [];
    for (let i = 0; i < 75 && got.length === 0; i++) {
      got = await (await env.RP_RECEIVER.fetch(`http://rp/received?key=${key}`)).json();
      if (got.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(got).toHaveLength(1);
    const jwks = await json<JSONWebKeySet>(await call("/jwks.json"));
    const { payload } = await jwtVerify(got[0]!.logout_token!, createLocalJWKSet(jwks), { issuer: ORIGIN, audience: a.clientId, typ: "logout+jwt" });
    expect(payload.sub).toBe(sub);
  });
});

describe("registering a pairwise client (OIDC Core §8.1, OIDC Dynamic Client Registration §2)", () => {
  const put = (id: string, body: Record<string, unknown>) =>
    admin("PUT", `/clients/${id}`, { client_name: "Pairwise", client_type: "confidential", grant_types: ["authorization_code"], scope: "openid", ...body });

  it("the operator API refuses pairwise with redirect URIs on two hosts, and shows subject_type when accepted", async () => {
    const id = `pw-${crypto.randomUUID().slice(0, 8)}`;
    const refused = await put(id, { redirect_uris: ["https://one.example/cb", "https://two.example/cb"], subject_type: "pairwise" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/share one host/);
    expect((await admin("GET", `/clients/${id}`)).status).toBe(404);
    const accepted = await put(id, { redirect_uris: ["https://one.example/cb", "https://one.example/cb2"], subject_type: "pairwise" });
    expect(accepted.status).toBe(201);
    expect((await json<{ client: { subject_type: string } }>(accepted)).client.subject_type).toBe("pairwise");
    expect((await put(id, { redirect_uris: ["https://one.example/cb"], subject_type: "secret" })).status).toBe(400);
  });

  it("POST /register refuses pairwise across two hosts and sector_identifier_uri with invalid_client_metadata, and echoes subject_type", async () => {
    const { initial_access_token } = await json<{ initial_access_token: string }>(
      await admin("POST", "/registration-tokens", { grant_types: ["authorization_code"], scope: "openid", max_uses: 5 }),
    );
    const register = (metadata: Record<string, unknown>) =>
      call("/register", { method: "POST", headers: { "Content-Type": "application/json", Authorization: `Bearer ${initial_access_token}` }, body: JSON.stringify(metadata) });
    const twoHosts = await register({ redirect_uris: ["https://one.example/cb", "https://two.example/cb"], subject_type: "pairwise" });
    expect(twoHosts.status).toBe(400);
    expect(await json(twoHosts)).toMatchObject({ error: "invalid_client_metadata" });
    const sectorUri = await register({ redirect_uris: ["https://one.example/cb"], subject_type: "pairwise", sector_identifier_uri: "https://one.example/sector.json" });
    expect(sectorUri.status).toBe(400);
    expect((await json<{ error_description: string }>(sectorUri)).error_description).toMatch(/sector_identifier_uri/);
    const ok = await register({ redirect_uris: ["https://one.example/cb"], subject_type: "pairwise" });
    expect(ok.status).toBe(201);
    expect(await json(ok)).toMatchObject({ subject_type: "pairwise" });
  });

  it("with PAIRWISE_SALT unset on a public issuer, pairwise registration is refused and nothing is stored", async () => {
    const workerEnv = envWith({ ISSUER: "https://id.example.com", REGISTRATION: "open" });
    const before = await env.DB.prepare("SELECT count(*) AS n FROM clients").first<{ n: number }>();
    const res = await register({ redirect_uris: ["https://one.example/cb"], subject_type: "pairwise" }, undefined, workerEnv);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: "invalid_client_metadata", error_description: expect.stringMatching(/^subject_type: .*PAIRWISE_SALT/) });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM clients").first<{ n: number }>()).toEqual(before);
    expect((await register({ redirect_uris: ["https://one.example/cb"] }, undefined, workerEnv)).status).toBe(201);
  });
});
