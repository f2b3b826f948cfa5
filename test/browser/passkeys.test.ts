import { join } from "node:path";
import * as oauth from "oauth4webapi";
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_SPA } from "../../cli/lib/seed.ts";
import { authorizationRequest, discover, REDIRECT_URI } from "./authorize.ts";
import { ARTIFACTS, createUserThrough, skipWithoutChromium, usePageHarness } from "./harness.ts";

/**
 * Passkeys in real headless Chromium with Chrome's virtual authenticator (DevTools protocol,
 * WebAuthn domain): a person adds a passkey on /account (WebAuthn §7.1), signs out, and signs
 * in to the demo single-page app with "Use a passkey", no email typed — a
 * discoverable credential (§7.2) — through a real authorization-code flow (oauth4webapi);
 * the ID token's amr says hwk, user, mfa (RFC 8176 §2). Browsers refuse WebAuthn on an IP
 * address, so the pages are opened at localhost (the loopback issuer's RP ID).
 */


describe.skipIf(skipWithoutChromium)("passkeys in headless Chromium", () => {
  const harness = usePageHarness("passkeys");

  it("add a passkey on /account, sign out, sign in with it (no email, then email first); the app's ID tokens have amr hwk user mfa", async () => {
    const { base, browser } = harness();
    const email = `passkey-${Date.now()}@example.com`;
    const password = "a password to start with";
    await createUserThrough(base, { email, password, name: "Ada Lovelace" });
    const pages = base.replace("127.0.0.1", "localhost");

    const context = await browser!.newContext({ viewport: { width: 800, height: 1000 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    await page.goto(`${pages}/account`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await Promise.all([page.waitForURL(`${pages}/account`), page.getByRole("button", { name: "Sign in" }).click()]);
    await page.getByRole("heading", { name: "Passkeys" }).waitFor();
    await page.getByLabel("Name of the new passkey").fill("Chromium");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey added").waitFor();
    expect(await page.locator(".passkey-name").allTextContents()).toEqual(["Chromium"]);
    await page.screenshot({ path: join(ARTIFACTS, "passkeys-account.png"), fullPage: true });
    const held = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(held.credentials).toHaveLength(1);
    expect(held.credentials[0]!.isResidentCredential).toBe(true);

    // Signed out: this browser forgets its session (the authenticator keeps the passkey).
    await context.clearCookies();

    const as = await discover(base);
    const client: oauth.Client = { client_id: DEMO_SPA.client_id };
    const { authorize, verifier, nonce } = await authorizationRequest(as, client.client_id, { scope: "openid" });
    authorize.hostname = "localhost"; // WebAuthn needs a domain: the pages are opened at localhost
    await page.goto(authorize.href);
    await page.screenshot({ path: join(ARTIFACTS, "passkeys-login.png"), fullPage: true });
    await Promise.all([page.waitForURL(`${pages}/passkey-login`), page.getByRole("button", { name: "Use a passkey" }).click()]);
    const [, arrived] = await Promise.all([
      page.waitForResponse(`${pages}/consent`),
      page.waitForRequest((request) => request.url().startsWith(`${REDIRECT_URI}?`)),
      page.getByRole("button", { name: "Allow" }).click(),
    ]);

    // Email first, signed out again: the options list this account's passkey (allowCredentials); consent is remembered.
    await context.clearCookies();
    const second = { verifier: oauth.generateRandomCodeVerifier(), nonce: oauth.generateRandomNonce() };
    authorize.searchParams.set("nonce", second.nonce);
    authorize.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(second.verifier));
    // The unserved callback of the first sign-in ends in Chromium's error page: let that
    // navigation finish first, or it interrupts this one.
    await page.waitForURL((url) => url.protocol === "chrome-error:" || url.href.startsWith(`${REDIRECT_URI}?`));
    await page.goto(authorize.href);
    await page.getByLabel("Email").fill(email);
    const [emailFirst] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${REDIRECT_URI}?`)),
      page.getByRole("button", { name: "Use a passkey" }).click(),
    ]);
    await context.close();
    const again = oauth.validateAuthResponse(as, client, new URL(emailFirst.url()), oauth.expectNoState);
    const secondTokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), again, REDIRECT_URI, second.verifier, { [oauth.allowInsecureRequests]: true }), { expectedNonce: second.nonce, requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(secondTokens)!.amr).toEqual(expect.arrayContaining(["user", "mfa"]));

    const params = oauth.validateAuthResponse(as, client, new URL(arrived.url()), oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, { [oauth.allowInsecureRequests]: true });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.amr).toEqual(expect.arrayContaining(["user", "mfa"]));
    expect((claims.amr as string[]).some((m) => m === "hwk" || m === "swk")).toBe(true);
    expect(claims.acr).toBe("urn:authshard:acr:mfa");
  });
});
