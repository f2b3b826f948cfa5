import * as oauth from "oauth4webapi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { forgetClient, getClient } from "../../src/router/clients/registry";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { ADMIN_TOKEN, json } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient } from "../helpers/oidc";
import { browserWith, envWith, expectBackedOff, expectUnavailable, Outage, refreshHealthy, refreshWith, sender, unreachableD1 } from "./outage";

/**
 * D1 down (README "When a dependency fails"). Everything that starts from a session,
 * a code or a token lives in the user's shard and goes on; clients come from the
 * isolate's cache, stale if need be. What needs D1 itself — finding a user by email,
 * a client the isolate has never seen, the operator API — is a clean 503.
 */

const BACK = "http://localhost:3000/signed-out";
type Tokens = { access_token: string; refresh_token: string; id_token: string };
let client: { clientId: string; secret?: string | undefined };

beforeAll(async () => {
  client = await registerClient("confidential", { post_logout_redirect_uris: [BACK] });
});

// The client cache and its D1 backoff are per isolate (module state): each test starts clean.
afterEach(() => forgetClient());

const d1Down = (outage: Outage) => envWith({ DB: unreachableD1(outage) });

/** This isolate holds the client's registration, already past its TTL: the next use must read D1 again. */
async function expireCachedClient(clientId: string): Promise<void> {
  const shortLived = envWith({ CLIENT_CACHE_TTL_MS: "1" });
  forgetClient(clientId);
  expect(await getClient(shortLived, loadConfig(shortLived), clientId)).not.toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 5));
}

async function signedIn(): Promise<{ tokens: Tokens; browser: TestBrowser }> {
  const issued = await issueCode(client.clientId);
  const res = await tokenRequest(redeemFields(issued), basic(client.clientId, client.secret!));
  expect(res.status).toBe(200);
  return { tokens: await json<Tokens>(res), browser: issued.browser };
}

describe("D1 unavailable", () => {
  it("signed-in users go on: refresh, /userinfo, and /authorize with their session gives a code that redeems", async () => {
    const { tokens, browser } = await signedIn();
    await expireCachedClient(client.clientId);
    const outage = new Outage();
    const down = d1Down(outage);
    const send = sender(down);
    const started = Date.now();

    const refreshed = await refreshWith(down, client, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const next = await json<Tokens>(refreshed);
    expect((await send("/userinfo", { headers: { Authorization: `Bearer ${next.access_token}` } })).status).toBe(200);

    const verifier = oauth.generateRandomCodeVerifier();
    const authorized = await browserWith(down, browser).get(
      authorizeUrl({
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        scope: "openid profile email offline_access",
        state: "d1",
        nonce: "n",
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      }),
    );
    expect(authorized.status).toBe(302);
    const code = redirectParams(authorized).get("code")!;
    expect(code).toMatch(/^c\./);
    const redeemed = await send("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.secret!) },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
    });
    expect(redeemed.status).toBe(200);
    // The expired registration was looked up in D1, which failed; it was served as read before, without asking per request.
    expectBackedOff(outage, started, 4);
  });

  it("a new sign-in by email gets a 503 login page with Retry-After (nothing sent to the application), and the same form works once D1 is back", async () => {
    const user = await createUser();
    await expireCachedClient(client.clientId);
    const browser = new TestBrowser(sender(d1Down(new Outage())));
    const page = await browser.get(
      authorizeUrl({ client_id: client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s", nonce: "n" }),
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="login"');

    const refused = await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
    expect(refused.headers.get("location")).toBeNull();
    expect(refused.headers.get("content-type")).toMatch(/text\/html/);
    const again = await refused.text();
    expect(again).toContain("temporarily unavailable");
    expect(again).toContain(`value="${user.email}"`);

    // D1 is back: the person submits the form on that page and goes on to the consent page.
    const healthy = new TestBrowser(undefined, browser.cookies);
    const res = await healthy.post("/login", { interaction: hiddenField(again, "interaction"), email: user.email, password: user.password });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('action="consent"');
  });

  it("a client this isolate has never seen cannot be looked up: a 503 page at /authorize, 503 JSON at /token, nothing redirected", async () => {
    forgetClient(); // a new isolate
    const send = sender(d1Down(new Outage()));
    const page = await send(authorizeUrl({ client_id: client.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s" }));
    expect(page.status).toBe(503);
    expect(page.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain("temporarily unavailable");

    const token = await send("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.secret!) },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "r.1.x.y" }).toString(),
    });
    await expectUnavailable(token);
  });

  it("the operator API answers 503, not 500: creating a user needs the email index", async () => {
    const res = await sender(d1Down(new Outage()))("/admin/users", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ email: `d1-down-${crypto.randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery staple" }),
    });
    await expectUnavailable(res);
  });

  it("logout works: the session ends, its tokens die, and the browser goes back to the application", async () => {
    const { tokens, browser } = await signedIn();
    await expireCachedClient(client.clientId);
    const res = await browserWith(d1Down(new Outage()), browser).get(
      `/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: BACK, state: "bye" })}`,
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${BACK}?state=bye`);
    const dead = await refreshHealthy(client, tokens.refresh_token);
    expect(dead.status).toBe(400);
    expect(await dead.json()).toMatchObject({ error: "invalid_grant" });
  });
});
