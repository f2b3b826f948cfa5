import { env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { signJwt } from "../../src/router/keys/cache";
import { deliverAudit } from "../helpers/audit";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient } from "../helpers/oidc";

/**
 * OpenID Connect RP-Initiated Logout 1.0 at /logout: ending a session revokes
 * every refresh family and access token bound to it in the same shard transaction.
 */

type Tokens = { access_token: string; refresh_token?: string; id_token: string; error?: string };
type App = { clientId: string; auth: Record<string, string> };
type User = Awaited<ReturnType<typeof createUser>>;

const BACK = "http://localhost:3000/signed-out";
let app: App;
let survivor: App;
let graced: App;

async function appWith(extra: Record<string, unknown>): Promise<App> {
  const { clientId, secret } = await registerClient("confidential", { post_logout_redirect_uris: [BACK], ...extra });
  return { clientId, auth: basic(clientId, secret!) };
}

beforeAll(async () => {
  // Registered before any logout: the router caches the list of surviving clients per isolate.
  [app, survivor, graced] = await Promise.all([appWith({}), appWith({ offline_survives_logout: true }), appWith({ refresh_grace_s: 10 })]);
});

interface SignedIn {
  browser: TestBrowser;
  user: User;
  tokens: Tokens;
  sid: string;
}

/** Signs in (or reuses the browser's session) and redeems the code. */
async function signedIn(client: App, options: { user?: User; browser?: TestBrowser; scope?: string } = {}): Promise<SignedIn> {
  const user = options.user ?? (await createUser());
  const issued = await issueCode(client.clientId, { user, ...(options.browser ? { browser: options.browser } : {}), ...(options.scope ? { scope: options.scope } : {}) });
  const tokens = await json<Tokens>(await tokenRequest(redeemFields(issued), client.auth));
  return { browser: issued.browser, user, tokens, sid: decodeJwt(tokens.id_token).sid as string };
}

const logoutUrl = (params: Record<string, string>) => `/logout?${new URLSearchParams(params)}`;
const refresh = (token: string, client: App) => tokenRequest({ grant_type: "refresh_token", refresh_token: token }, client.auth);
const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });
const refreshError = async (token: string, client: App) => (await json<Tokens>(await refresh(token, client))).error;

async function expectPage(res: Response, status: number, text: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toMatch(/text\/html/);
  expect(await res.text()).toMatch(text);
}

/** Everything bound to the session is dead: access token, refresh family, and the session itself. */
async function expectSessionDead(s: SignedIn, client: App, cookies: Map<string, string>): Promise<void> {
  expect((await userinfo(s.tokens.access_token)).status).toBe(401);
  expect(await refreshError(s.tokens.refresh_token!, client)).toBe("invalid_grant");
  const replay = new TestBrowser();
  for (const [k, v] of cookies) replay.cookies.set(k, v);
  const res = await replay.get(authorizeUrl({ client_id: client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "x", nonce: "n" }));
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('action="login"');
}

async function expectSessionAlive(s: SignedIn): Promise<void> {
  expect((await userinfo(s.tokens.access_token)).status).toBe(200);
}

describe("RP-initiated logout with id_token_hint (RP-Initiated Logout 1.0 §2, §3)", () => {
  it("discovery publishes end_session_endpoint (§2.1)", async () => {
    const meta = await json<{ end_session_endpoint?: string }>(await call("/.well-known/openid-configuration"));
    expect(meta.end_session_endpoint).toBe("http://127.0.0.1:8787/logout");
  });

  it("GET ends the session, redirects with state, and the session's tokens are refused on the next request", async () => {
    const s = await signedIn(app);
    const cookies = new Map(s.browser.cookies);
    const res = await s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token, post_logout_redirect_uri: BACK, state: "st-1" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${BACK}?state=st-1`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(s.browser.cookies.has("authshard_session")).toBe(false);
    await expectSessionDead(s, app, cookies);
  });

  it("POST (form) works the same (§2: GET and POST)", async () => {
    const s = await signedIn(app);
    const cookies = new Map(s.browser.cookies);
    const res = await s.browser.post("/logout", { id_token_hint: s.tokens.id_token, post_logout_redirect_uri: BACK, state: "p" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${BACK}?state=p`);
    await expectSessionDead(s, app, cookies);
  });

  it("a cross-site POST carries no SameSite=Lax cookie: the hint's sid names the session to end", async () => {
    const s = await signedIn(app);
    const res = await new TestBrowser().post("/logout", { id_token_hint: s.tokens.id_token, client_id: app.clientId });
    await expectPage(res, 200, /You are signed out/);
    await expectSessionDead(s, app, s.browser.cookies);
  });

  it("an expired ID token is still accepted as a hint (§4)", async () => {
    const s = await signedIn(app);
    const config = loadConfig(env);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const claims = { iss: config.issuer, sub: s.user.id, aud: app.clientId, iat: past, exp: past + 60, sid: s.sid };
    const hint = await signJwt(env, config, "ES256", claims, { typ: "JWT" });
    const res = await s.browser.get(logoutUrl({ id_token_hint: hint, post_logout_redirect_uri: BACK }));
    expect(res.headers.get("location")).toBe(BACK);
    expect((await userinfo(s.tokens.access_token)).status).toBe(401);
  });

  it("without post_logout_redirect_uri: a signed-out page; a second logout is harmless", async () => {
    const s = await signedIn(app);
    await expectPage(await s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token })), 200, /You are signed out/);
    await expectPage(await s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token })), 200, /You are signed out/);
  });

  it("writes a logout audit event through the outbox and the audit queue", async () => {
    const s = await signedIn(app);
    await s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token }));
    const { user } = await json<{ user: { shard: string } }>(await admin("GET", `/users/${s.user.id}`));
    await deliverAudit(user.shard);
    const rows = await env.DB.prepare("SELECT type, client_id, data FROM audit_log WHERE user_id = ? AND type = 'logout'").bind(s.user.id).all();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]).toMatchObject({ client_id: app.clientId });
    expect(JSON.parse(String(rows.results[0]!.data))).toMatchObject({ sid: s.sid, initiator: "rp", revoked_grants: 1 });
  });

  it("a hint for another user than the browser's shows the confirmation page and ends nothing", async () => {
    const mine = await signedIn(app);
    const theirs = await signedIn(app);
    const res = await mine.browser.get(logoutUrl({ id_token_hint: theirs.tokens.id_token }));
    await expectPage(res, 200, /Sign out\?/);
    await expectSessionAlive(mine);
    await expectSessionAlive(theirs);
  });
});

describe("invalid logout requests are pages, never redirects, never 500 (§3, §4)", () => {
  let s: SignedIn;
  beforeAll(async () => {
    s = await signedIn(app);
  });

  it.each([
    ["an unregistered post_logout_redirect_uri", () => ({ id_token_hint: s.tokens.id_token, post_logout_redirect_uri: "https://attacker.example/" }), /not registered/],
    ["a post_logout_redirect_uri differing by a trailing slash", () => ({ id_token_hint: s.tokens.id_token, post_logout_redirect_uri: `${BACK}/` }), /not registered/],
    ["a post_logout_redirect_uri without hint or client_id", () => ({ post_logout_redirect_uri: BACK }), /id_token_hint or client_id/],
    ["client_id other than the hint's audience (§2)", () => ({ id_token_hint: s.tokens.id_token, client_id: survivor.clientId }), /does not match/],
    ["an unknown client_id", () => ({ client_id: "nobody-here", post_logout_redirect_uri: BACK }), /not a registered client/],
    ["a hint that is not a JWT", () => ({ id_token_hint: "garbage" }), /id_token_hint/],
    ["an access token as hint", () => ({ id_token_hint: s.tokens.access_token }), /id_token_hint/],
    ["a hint with a forged signature", () => ({ id_token_hint: `${s.tokens.id_token.slice(0, -4)}AAAA` }), /id_token_hint/],
  ])("%s → 400 page", async (_label, params, text) => {
    await expectPage(await s.browser.get(logoutUrl(params())), 400, text);
    await expectSessionAlive(s);
  });

  it("a repeated parameter, a non-form POST and an oversized state → 4xx pages", async () => {
    await expectPage(await call(`/logout?state=a&state=b`), 400, /repeated/);
    const jsonPost = await call("/logout", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    await expectPage(jsonPost, 400, /form-urlencoded/);
    await expectPage(await call(logoutUrl({ state: "s".repeat(5000) })), 400, /too long/);
    await expectSessionAlive(s);
  });
});

describe("logout without a hint asks the person (§6)", () => {
  it("shows a confirmation page; confirming ends the session and redirects with state", async () => {
    const s = await signedIn(app);
    const cookies = new Map(s.browser.cookies);
    const page = await s.browser.get(logoutUrl({ client_id: app.clientId, post_logout_redirect_uri: BACK, state: "c1" }));
    expect(page.status).toBe(200);
    // form-action must allow the provider and the redirect target after the POST.
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self' http://localhost:3000");
    const confirmation = hiddenField(await page.text(), "confirmation");
    await expectSessionAlive(s);
    const res = await s.browser.post("/logout", { confirmation, decision: "logout" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${BACK}?state=c1`);
    await expectSessionDead(s, app, cookies);
  });

  it("refuses a confirmation posted without the CSRF cookie, or tampered with", async () => {
    const s = await signedIn(app);
    const confirmation = hiddenField(await (await s.browser.get("/logout")).text(), "confirmation");
    const foreign = new TestBrowser();
    foreign.cookies.set("authshard_session", s.browser.cookies.get("authshard_session")!);
    await expectPage(await foreign.post("/logout", { confirmation }), 400, /expired or was opened in another browser/);
    await expectPage(await s.browser.post("/logout", { confirmation: `${confirmation}x` }), 400, /expired/);
    await expectSessionAlive(s);
  });

  it("a POST without hint and without cookie may be cross-site: it asks too", async () => {
    await expectPage(await call("/logout", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" }), 200, /Sign out\?/);
  });

  it("with no session there is nothing to end: redirect to a valid target, or the signed-out page", async () => {
    const res = await call(logoutUrl({ client_id: app.clientId, post_logout_redirect_uri: BACK, state: "z" }));
    expect(res.headers.get("location")).toBe(`${BACK}?state=z`);
    await expectPage(await call("/logout"), 200, /You are signed out/);
  });
});

describe("offline access that survives logout (client offline_survives_logout)", () => {
  it("keeps the surviving client's offline family and its access tokens; everything else in the session dies", async () => {
    const a = await signedIn(app);
    const kept = await signedIn(survivor, { user: a.user, browser: a.browser });
    const online = await signedIn(survivor, { user: a.user, browser: a.browser, scope: "openid" });
    expect(kept.sid).toBe(a.sid);
    await a.browser.get(logoutUrl({ id_token_hint: a.tokens.id_token }));
    expect(await refreshError(a.tokens.refresh_token!, app)).toBe("invalid_grant");
    expect((await userinfo(online.tokens.access_token)).status).toBe(401);
    // The offline grant survives entirely: its access tokens are bound to the grant, not the session.
    expect((await userinfo(kept.tokens.access_token)).status).toBe(200);
    const next = await refresh(kept.tokens.refresh_token!, survivor);
    expect(next.status).toBe(200);
    expect(decodeJwt((await json<Tokens>(next)).id_token).sid).toBeUndefined();
  });

  it("also when the surviving client itself asks for the logout", async () => {
    const s = await signedIn(survivor);
    await s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token }));
    expect((await refresh(s.tokens.refresh_token!, survivor)).status).toBe(200);
  });
});

describe("operator API and sessions", () => {
  type Listed = { sessions: Array<{ sid: string; state: string; amr: string[] }> };
  const sessionsOf = async (userId: string) => (await json<Listed>(await admin("GET", `/users/${userId}/sessions`))).sessions;

  it("lists a user's sessions; ending one kills its tokens, idempotently", async () => {
    const s = await signedIn(app);
    expect(await sessionsOf(s.user.id)).toEqual([expect.objectContaining({ sid: s.sid, state: "active", amr: ["pwd"] })]);
    const res = await admin("DELETE", `/users/${s.user.id}/sessions/${s.sid}`);
    expect(await json(res)).toEqual({ user_id: s.user.id, sid: s.sid, ended: true });
    await expectSessionDead(s, app, s.browser.cookies);
    expect((await sessionsOf(s.user.id))[0]!.state).toBe("ended");
    expect(await json(await admin("DELETE", `/users/${s.user.id}/sessions/${s.sid}`))).toMatchObject({ ended: false });
  });

  it("ends every session of a user; include_offline=true spares nothing", async () => {
    const first = await signedIn(app);
    const second = await signedIn(survivor, { user: first.user });
    const res = await json<{ ended: string[] }>(await admin("DELETE", `/users/${first.user.id}/sessions?include_offline=true`));
    expect(new Set(res.ended)).toEqual(new Set([first.sid, second.sid]));
    await expectSessionDead(first, app, first.browser.cookies);
    await expectSessionDead(second, survivor, second.browser.cookies);
    expect((await json<{ ended: string[] }>(await admin("DELETE", `/users/${first.user.id}/sessions`))).ended).toEqual([]);
  });

  it("by default the operator spares what a logout spares", async () => {
    const s = await signedIn(survivor);
    expect((await admin("DELETE", `/users/${s.user.id}/sessions`)).status).toBe(200);
    expect((await refresh(s.tokens.refresh_token!, survivor)).status).toBe(200);
  });

  it.each([
    ["GET", "/users/not-a-user-id/sessions", 404],
    ["GET", `/users/${"A".repeat(22)}/sessions`, 404],
    ["DELETE", `/users/${"A".repeat(22)}/sessions`, 404],
    ["DELETE", `/users/${"A".repeat(22)}/sessions/${"B".repeat(22)}`, 404],
    ["DELETE", "/users/x/sessions/%00%2F..", 404],
  ])("%s %s → %i", async (method, path, status) => {
    const res = await admin(method, path);
    expect(res.status).toBe(status);
    expect((await json<{ error: string }>(res)).error).toBe("not_found");
  });

  it("a malformed sid or include_offline is a 4xx", async () => {
    const s = await signedIn(app);
    expect((await admin("DELETE", `/users/${s.user.id}/sessions/short`)).status).toBe(404);
    expect((await admin("DELETE", `/users/${s.user.id}/sessions/${"C".repeat(22)}`)).status).toBe(404);
    expect((await admin("DELETE", `/users/${s.user.id}/sessions?include_offline=maybe`)).status).toBe(400);
    await expectSessionAlive(s);
  });
});

describe("logout racing refreshes of the session's family", () => {
  it("after 20 concurrent refreshes and a logout have all finished, the family is dead", async () => {
    // A grace window lets the concurrent refreshes succeed without theft detection ending the family first.
    const s = await signedIn(graced);
    const refreshes = Array.from({ length: 20 }, () => refresh(s.tokens.refresh_token!, graced));
    const logout = s.browser.get(logoutUrl({ id_token_hint: s.tokens.id_token }));
    const [responses, out] = await Promise.all([Promise.all(refreshes), logout]);
    expect(out.status).toBe(200);
    const bodies = await Promise.all(responses.map((r) => json<Tokens>(r)));
    for (const body of bodies) {
      if (body.error) expect(body.error).toBe("invalid_grant");
      if (body.refresh_token) expect(await refreshError(body.refresh_token, graced)).toBe("invalid_grant");
      if (body.access_token) expect((await userinfo(body.access_token)).status).toBe(401);
    }
    expect(await refreshError(s.tokens.refresh_token!, graced)).toBe("invalid_grant");
  });
});
