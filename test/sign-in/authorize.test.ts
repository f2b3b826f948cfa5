import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { call } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI, signIn } from "../helpers/oidc";

let clientId: string;
let spaId: string;
const base = () => ({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid profile", state: "xyz", nonce: "n-1" });

beforeAll(async () => {
  clientId = (await registerClient("confidential")).clientId;
  spaId = (await registerClient("public")).clientId;
});

async function expectPage(res: Response, status: number, text: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("content-type")).toMatch(/text\/html/);
  expect(await res.text()).toMatch(text);
}

describe("errors before the redirect URI is trusted are pages, never redirects (RFC 6749 §4.1.2.1, RFC 9700 §4.1.3)", () => {
  it.each([
    ["an unregistered redirect_uri", { redirect_uri: "https://attacker.example/cb" }, /not registered/],
    ["a redirect_uri differing only in a trailing slash", { redirect_uri: `${REDIRECT_URI}/` }, /not registered/],
    ["a redirect_uri with an added query", { redirect_uri: `${REDIRECT_URI}?next=evil` }, /not registered/],
    ["an unknown client", { client_id: "nobody" }, /unknown client_id/],
    ["a missing redirect_uri", { redirect_uri: "" }, /redirect_uri is missing/],
    ["a missing client_id", { client_id: "" }, /client_id is missing/],
  ])("%s", async (_label, override, text) => {
    const params = Object.fromEntries(Object.entries({ ...base(), ...override }).filter(([, v]) => v !== ""));
    await expectPage(await call(authorizeUrl(params)), 400, text);
  });

  it("an oversized parameter or form", async () => {
    await expectPage(await call(authorizeUrl({ ...base(), state: "s".repeat(5000) })), 400, /too long/);
    const big = await call("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `interaction=${"x".repeat(20_000)}`,
    });
    await expectPage(big, 413, /too large/);
    const wrongType = await call("/authorize", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    await expectPage(wrongType, 400, /x-www-form-urlencoded/);
  });

  it("a repeated parameter", async () => {
    await expectPage(await call(`${authorizeUrl(base())}&scope=openid`), 400, /repeated/);
  });
});

describe("errors after it go back to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207)", () => {
  it.each([
    ["unsupported_response_type", { response_type: "token" }],
    ["invalid_request", { response_type: "" }],
    ["invalid_scope", { scope: "openid admin" }],
    ["invalid_scope", { scope: "profile" }],
    ["invalid_request", { code_challenge: "abc", code_challenge_method: "plain" }],
    ["invalid_request", { code_challenge: "too-short", code_challenge_method: "S256" }],
    ["invalid_request", { prompt: "none login" }],
    ["invalid_request", { max_age: "-1" }],
    ["invalid_request", { response_mode: "fragment_post" }],
    ["invalid_request_object", { request: "eyJ.x.y" }],
  ])("%s for %j", async (error, override) => {
    const params = Object.fromEntries(Object.entries({ ...base(), ...override }).filter(([, v]) => v !== ""));
    const res = await call(authorizeUrl(params));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get("error")).toBe(error);
    expect(location.searchParams.get("state")).toBe("xyz");
    expect(location.searchParams.get("iss")).toBe("http://127.0.0.1:8787");
  });

  it("a public client without code_challenge is refused (RFC 9700 §2.1.1)", async () => {
    const res = await call(authorizeUrl({ ...base(), client_id: spaId }));
    expect(redirectParams(res).get("error")).toBe("invalid_request");
  });
});

describe("prompt, max_age and sessions (OIDC Core §3.1.2.1)", () => {
  it("prompt=none without a session answers login_required at the redirect URI", async () => {
    const params = redirectParams(await call(authorizeUrl({ ...base(), prompt: "none" })));
    expect(params.get("error")).toBe("login_required");
    expect(params.get("state")).toBe("xyz");
  });

  it("prompt=none with a session but no consent answers consent_required; after consent it issues a code", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const login = await browser.get(authorizeUrl(base()));
    const consentPage = await browser.post("/login", { interaction: hiddenField(await login.text(), "interaction"), email: user.email, password: user.password });
    expect(await consentPage.text()).toMatch(/See your name/);
    const silent = redirectParams(await browser.get(authorizeUrl({ ...base(), prompt: "none" })));
    expect(silent.get("error")).toBe("consent_required");

    await signIn(browser, base(), user);
    const again = redirectParams(await browser.get(authorizeUrl({ ...base(), prompt: "none" })));
    expect(again.get("code")).toMatch(/^c\./);
  });

  it("prompt=login and max_age=0 show the login page despite a live session; prompt=consent asks again", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    await signIn(browser, base(), user);
    for (const extra of [{ prompt: "login" }, { max_age: "0" }] as Record<string, string>[]) {
      const res = await browser.get(authorizeUrl({ ...base(), ...extra }));
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/action="login"/);
    }
    const consent = await browser.get(authorizeUrl({ ...base(), prompt: "consent" }));
    expect(await consent.text()).toMatch(/action="consent"/);
  });

  it("Deny answers access_denied", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const login = await browser.get(authorizeUrl(base()));
    const consentPage = await browser.post("/login", { interaction: hiddenField(await login.text(), "interaction"), email: user.email, password: user.password });
    const res = await browser.post("/consent", { interaction: hiddenField(await consentPage.text(), "interaction"), decision: "deny" });
    expect(res.status).toBe(303);
    expect(redirectParams(res).get("error")).toBe("access_denied");
  });

  it("works by form POST as well as GET (OIDC Core §3.1.2.1), and answers by form_post when asked", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    await signIn(browser, base(), user);
    const res = await browser.request("/authorize", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...base(), response_mode: "form_post" }).toString(),
    });
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("form-action 'self' http://localhost:3000");
    const html = await res.text();
    expect(html).toContain(`action="${REDIRECT_URI}"`);
    expect(hiddenField(html, "code")).toMatch(/^c\./);
    expect(hiddenField(html, "state")).toBe("xyz");
    expect(hiddenField(html, "iss")).toBe("http://127.0.0.1:8787");
  });
});

describe("the login page", () => {
  it("sets an HttpOnly SameSite=Lax CSRF cookie and no Secure flag on loopback http", async () => {
    const res = await call(authorizeUrl({ ...base(), login_hint: "hint@example.com" }));
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("authshard_csrf="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const html = await res.text();
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('value="hint@example.com"');
  });

  it("a wrong password and an unknown email get the same generic message", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const page = await (await browser.get(authorizeUrl(base()))).text();
    const interaction = hiddenField(page, "interaction");
    const wrong = await browser.post("/login", { interaction, email: user.email, password: "nope" });
    const unknown = await browser.post("/login", { interaction, email: "nobody@example.com", password: "nope" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.text(), await unknown.text()];
    expect(a).toContain("The email or password is not correct.");
    expect(b).toContain("The email or password is not correct.");
    expect(a).toContain('action="login"');
  });

  it("slows an account down after repeated failures, even for the right password", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const interaction = hiddenField(await (await browser.get(authorizeUrl(base()))).text(), "interaction");
    for (let i = 0; i < 5; i++) await browser.post("/login", { interaction, email: user.email, password: `wrong-${i}` });
    const res = await browser.post("/login", { interaction, email: user.email, password: user.password });
    expect(res.status).toBe(429);
    // RFC 6585 §4: how long to wait, as the page says it (1 s after the fifth failure, doubling).
    const wait = res.headers.get("Retry-After");
    expect(wait).toMatch(/^[1-9]\d*$/);
    expect(await res.text()).toContain(`Wait ${wait} second`);
  });

  it("refuses a form without the CSRF cookie or with a tampered interaction", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const interaction = hiddenField(await (await browser.get(authorizeUrl(base()))).text(), "interaction");
    const stranger = new TestBrowser();
    await expectPage(await stranger.post("/login", { interaction, email: user.email, password: user.password }), 400, /expired/);
    await expectPage(await browser.post("/login", { interaction: `${interaction}x`, email: user.email, password: user.password }), 400, /expired/);
    await expectPage(await browser.post("/login", { email: user.email, password: user.password }), 400, /expired/);
  });

  it("a consent form from another session is refused", async () => {
    const [alice, bob] = [await createUser(), await createUser()];
    const a = new TestBrowser();
    const aPage = await a.get(authorizeUrl(base()));
    const aConsent = await a.post("/login", { interaction: hiddenField(await aPage.text(), "interaction"), email: alice.email, password: alice.password });
    const interaction = hiddenField(await aConsent.text(), "interaction");
    // Bob signs in in the same browser; Alice's consent form must not grant for Bob.
    const bPage = await a.get(authorizeUrl({ ...base(), prompt: "login" }));
    await a.post("/login", { interaction: hiddenField(await bPage.text(), "interaction"), email: bob.email, password: bob.password });
    const res = await a.post("/consent", { interaction, decision: "allow" });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/action="login"/);
  });

  it("state and nonce round-trip unchanged", async () => {
    const user = await createUser();
    const state = oauth.generateRandomState();
    const params = await signIn(new TestBrowser(), { ...base(), state }, user);
    expect(params.get("state")).toBe(state);
  });
});
