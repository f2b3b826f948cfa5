import { join } from "node:path";
import * as oauth from "oauth4webapi";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { adminClient } from "../../cli/lib/admin-client.ts";
import { DEMO_APP, DEMO_USER } from "../../cli/lib/seed.ts";
import { authorizationRequest, discover, REDIRECT_URI } from "./authorize.ts";
import { ADMIN_TOKEN, ARTIFACTS, CHROMIUM, skipWithoutChromium as skip, usePageHarness } from "./harness.ts";

/**
 * The login and consent pages in real headless Chromium: the worker runs under
 * wrangler on a free loopback port with a fresh local D1, the demo data is seeded
 * through the operator API as `npm start` does, and the demo user signs in to the
 * demo web app. Screenshots of both pages land in test/artifacts/.
 */

/** Registered for the demo clients; nothing listens there, the page route answers instead. */
/** The generic answer to a wrong email or password (src/router/endpoints/login.ts). */
const WRONG = "The email or password is not correct.";

const SKIP_REASON = `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

const TITLE = "login and consent pages in headless Chromium";

describe.skipIf(skip)(skip ? `${TITLE} (skipped: ${SKIP_REASON})` : TITLE, () => {
  // Chromium, the worker with its own storage, the served issuer and the demo data
  // seeded through the operator API (the harness throws if any seeding step fails).
  const harness = usePageHarness("sign-in");

  it("signs the demo user in to the demo web app", async () => {
    const { base, browser } = harness();
    const as = await discover(base);
    const client: oauth.Client = { client_id: DEMO_APP.client_id };
    const state = oauth.generateRandomState();
    const { authorize, verifier, nonce } = await authorizationRequest(as, client.client_id, { scope: "openid profile email", state });

    const context = await browser!.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();

    // Login page: labelled fields, a named button, the app named.
    await page.goto(authorize.href);
    expect(await page.title()).toBe("Sign in");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByText(`to continue to ${DEMO_APP.client_name}`).waitFor();
    const email = page.getByLabel("Email");
    const password = page.getByLabel("Password");
    const signIn = page.getByRole("button", { name: "Sign in" });
    expect(await email.getAttribute("type")).toBe("email");
    expect(await password.getAttribute("type")).toBe("password");
    expect(await page.getByRole("alert").count()).toBe(0);
    await screenshot(page, "login.png");

    // A wrong password: the same form again, with the generic error and the email kept.
    await email.fill(DEMO_USER.email);
    await password.fill("not-the-password");
    await Promise.all([page.waitForURL(`${base}/login`), signIn.click()]);
    expect(await page.getByRole("alert").textContent()).toBe(WRONG);
    expect(await email.inputValue()).toBe(DEMO_USER.email);
    expect(await password.inputValue()).toBe("");
    await screenshot(page, "login-error.png");

    // The right password leads to the consent page, scopes in plain words.
    await password.fill(DEMO_USER.password);
    await Promise.all([page.waitForURL(`${base}/login`), signIn.click()]);
    await page.getByRole("heading", { name: `Allow ${DEMO_APP.client_name} to:` }).waitFor();
    expect(await page.title()).toBe("Allow access");
    expect(await page.getByRole("listitem").allTextContents()).toEqual([
      "Sign you in with your account",
      "See your name",
      "See your email address",
    ]);
    await page.getByText(`Signed in as ${DEMO_USER.email}`).waitFor();
    await page.getByRole("button", { name: "Deny" }).waitFor();
    const allow = page.getByRole("button", { name: "Allow" });
    await screenshot(page, "consent.png");

    // Allow: a 303 back to the app with code, state and iss (RFC 9207). Nothing serves the
    // app, and page.route cannot answer a redirected navigation: the request itself is the result.
    const [consented, arrived] = await Promise.all([
      page.waitForResponse(`${base}/consent`),
      page.waitForRequest((request) => request.url().startsWith(`${REDIRECT_URI}?`)),
      allow.click(),
    ]);
    expect(consented.status()).toBe(303);
    const callback = new URL(arrived.url());
    expect(consented.headers().location).toBe(callback.href);
    expect(callback.searchParams.get("state")).toBe(state);
    expect(callback.searchParams.get("iss")).toBe(as.issuer);
    expect(callback.searchParams.get("code")).toBeTruthy();
    await context.close();

    // The app redeems the code from its server (client_secret_basic) and gets an ID token.
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(DEMO_APP.client_secret),
      params,
      REDIRECT_URI,
      verifier,
      { [oauth.allowInsecureRequests]: true },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims).toMatchObject({ iss: as.issuer, aud: DEMO_APP.client_id, nonce });
    expect(claims.sub).toBeTypeOf("string");
  });

  it("front-channel logout: the signed-out page loads each client's logout URI with iss and sid, then returns to the app (Front-Channel Logout 1.0 §3)", async () => {
    const { base, browser } = harness();
    const api = adminClient({ url: base, token: ADMIN_TOKEN });
    const apps = [
      { id: "fc-app-a", frontchannel_logout_uri: "http://127.0.0.1:3000/fc-a", frontchannel_logout_session_required: true },
      { id: "fc-app-b", frontchannel_logout_uri: "http://127.0.0.1:3000/fc-b", frontchannel_logout_session_required: false },
    ];
    const secrets: Record<string, string> = {};
    for (const app of apps) {
      const res = await api.request("PUT", `/admin/clients/${app.id}`, {
        client_name: app.id,
        client_type: "confidential",
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: ["http://127.0.0.1:3000/bye"],
        scope: "openid",
        frontchannel_logout_uri: app.frontchannel_logout_uri,
        frontchannel_logout_session_required: app.frontchannel_logout_session_required,
      });
      expect(res.status).toBe(201);
      secrets[app.id] = (res.body as { client_secret: string }).client_secret;
    }
    const as = await discover(base);
    expect(as.frontchannel_logout_supported).toBe(true);

    // The apps' pages: every request to them is recorded and answered here.
    const context = await browser!.newContext();
    const hits: string[] = [];
    await context.route("http://127.0.0.1:3000/**", (route) => {
      hits.push(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<p>ok</p>" });
    });
    let idToken = "";
    for (const app of apps) {
      // A page per app: the redirect to the app's callback leaves a page on Chromium's error page.
      const page = await context.newPage();
      const client: oauth.Client = { client_id: app.id };
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const authorize = new URL(as.authorization_endpoint!);
      authorize.search = new URLSearchParams({ client_id: app.id, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" }).toString();
      await page.goto(authorize.href);
      if (await page.getByLabel("Email").count()) {
        await page.getByLabel("Email").fill(DEMO_USER.email);
        await page.getByLabel("Password").fill(DEMO_USER.password);
        await Promise.all([page.waitForURL(`${base}/login`), page.getByRole("button", { name: "Sign in" }).click()]);
      }
      const [arrived] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)), page.getByRole("button", { name: "Allow" }).click()]);
      const params = oauth.validateAuthResponse(as, client, new URL(arrived.url()), state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(secrets[app.id]!), params, REDIRECT_URI, verifier, { [oauth.allowInsecureRequests]: true });
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
      if (!idToken) idToken = tokens.id_token!;
      await page.close();
    }
    const page = await context.newPage();
    const sid = (JSON.parse(Buffer.from(idToken.split(".")[1]!, "base64url").toString()) as { sid: string }).sid;

    hits.length = 0;
    const logout = `${base}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: "http://127.0.0.1:3000/bye", state: "bye-state" })}`;
    await Promise.all([page.waitForRequest((r) => r.url().startsWith("http://127.0.0.1:3000/bye")), page.goto(logout)]);
    const frameA = `http://127.0.0.1:3000/fc-a?${new URLSearchParams({ iss: as.issuer, sid: String(sid) })}`;
    // Both frames first, then (once they loaded) the app's post-logout page with its state.
    expect(hits.slice(0, 2).sort()).toEqual([frameA, "http://127.0.0.1:3000/fc-b"].sort());
    expect(hits[2]).toBe("http://127.0.0.1:3000/bye?state=bye-state");
    await context.close();
  });

  it("a pushed request (RFC 9126) answered by form_post.jwt (JARM §2.3.3): the page auto-posts one signed `response` to the app", async () => {
    const { base, browser } = harness();
    const api = adminClient({ url: base, token: ADMIN_TOKEN });
    const registered = await api.request("PUT", "/admin/clients/jarm-app", {
      client_name: "JARM app",
      client_type: "confidential",
      redirect_uris: [REDIRECT_URI],
      scope: "openid",
      require_pushed_authorization_requests: true,
      authorization_signed_response_alg: "ES256",
    });
    expect(registered.status).toBe(201);
    const secret = (registered.body as { client_secret: string }).client_secret;
    const insecure = { [oauth.allowInsecureRequests]: true } as const;
    const issuer = new URL(base);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...insecure }));
    const client: oauth.Client = { client_id: "jarm-app", authorization_signed_response_alg: "ES256" };
    const auth = oauth.ClientSecretBasic(secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      client,
      await oauth.pushedAuthorizationRequest(
        as,
        client,
        auth,
        { redirect_uri: REDIRECT_URI, response_type: "code", response_mode: "form_post.jwt", scope: "openid", state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" },
        insecure,
      ),
    );

    const context = await browser!.newContext();
    const posts: Array<{ method: string; body: string | null }> = [];
    await context.route("http://127.0.0.1:3000/**", (route) => {
      posts.push({ method: route.request().method(), body: route.request().postData() });
      return route.fulfill({ status: 200, contentType: "text/html", body: "<p>ok</p>" });
    });
    const page = await context.newPage();
    await page.goto(`${as.authorization_endpoint}?${new URLSearchParams({ client_id: "jarm-app", request_uri: pushed.request_uri })}`);
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await Promise.all([page.waitForURL(`${base}/login`), page.getByRole("button", { name: "Sign in" }).click()]);
    await Promise.all([page.waitForURL(`${REDIRECT_URI}`), page.getByRole("button", { name: "Allow" }).click()]);
    await context.close();

    // The browser ran the page's script: a POST to the app with nothing but the signed response.
    expect(posts).toHaveLength(1);
    expect(posts[0]!.method).toBe("POST");
    const fields = new URLSearchParams(posts[0]!.body!);
    expect([...fields.keys()]).toEqual(["response"]);
    const params = await oauth.validateJwtAuthResponse(as, client, fields, state, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, insecure));
    expect(tokens.access_token).toBeTypeOf("string");
  });
});
