import { join } from "node:path";
import * as oauth from "oauth4webapi";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { DEMO_SPA } from "../../cli/lib/seed.ts";
import { authorizationRequest, discover, REDIRECT_URI } from "./authorize.ts";
import { ARTIFACTS, createUserThrough, skipWithoutChromium, usePageHarness } from "./harness.ts";

/**
 * Two-factor sign-in in real headless Chromium: a person sets up TOTP on /account (the code
 * computed here with otpauth, as an authenticator app would, RFC 6238 §4), signs out, and
 * signs in to the demo single-page app with password and code; the app asked for the MFA
 * class (acr_values, OIDC Core §3.1.2.1) and its ID token says amr pwd otp mfa (RFC 8176 §2).
 */

const ACR_MFA = "urn:authshard:acr:mfa";

/** What the authenticator app shows `offset` steps from now. */
function appCode(secret: string, offset: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), digits: 6, period: 30, timestamp: Date.now() + offset * 30_000 });
}

/** Enrolment uses the previous step and sign-in the current one: start well inside a step. */
async function awayFromStepBoundary(): Promise<void> {
  const into = (Date.now() / 1000) % 30;
  if (into < 1 || into > 18) await new Promise((r) => setTimeout(r, (31 - into) * 1000));
}

describe.skipIf(skipWithoutChromium)("two-factor sign-in in headless Chromium", () => {
  const harness = usePageHarness("mfa");

  it("enrol on /account, sign out, sign in with password and code; the app's ID token has amr mfa", async () => {
    const { base, browser } = harness();
    const email = `mfa-${Date.now()}@example.com`;
    const password = "two factors are better than one";
    await createUserThrough(base, { email, password, name: "Grace Hopper" });
    await awayFromStepBoundary();

    const context = await browser!.newContext({ viewport: { width: 800, height: 900 } });
    const page = await context.newPage();
    // The account page without a session is its sign-in form, and comes back to /account.
    await page.goto(`${base}/account`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await Promise.all([page.waitForURL(`${base}/account`), page.getByRole("button", { name: "Sign in" }).click()]);
    await page.getByRole("heading", { name: "Your account" }).waitFor();

    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.locator("#totp-qr svg").waitFor();
    const secret = (await page.locator("#totp-secret").textContent())!;
    expect(await page.locator("#totp-uri").getAttribute("href")).toMatch(/^otpauth:\/\/totp\//);
    await page.screenshot({ path: join(ARTIFACTS, "mfa-enrol.png"), fullPage: true });
    await page.getByLabel("Code from your authenticator app").fill(appCode(secret, -1));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("Two-factor sign-in is on.").waitFor();
    expect(await page.locator("#recovery-codes li").count()).toBe(10);

    // Signed out: this browser forgets its session.
    await context.clearCookies();

    const as = await discover(base);
    expect(as.acr_values_supported).toContain(ACR_MFA);
    const client: oauth.Client = { client_id: DEMO_SPA.client_id };
    const { authorize, verifier, nonce } = await authorizationRequest(as, client.client_id, { scope: "openid", acr_values: ACR_MFA });
    await page.goto(authorize.href);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await Promise.all([page.waitForURL(`${base}/login`), page.getByRole("button", { name: "Sign in" }).click()]);
    await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "mfa-code.png"), fullPage: true });
    await page.getByLabel("Code").fill(appCode(secret, 0));
    await Promise.all([page.waitForURL(`${base}/second-factor`), page.getByRole("button", { name: "Verify" }).click()]);
    const [, arrived] = await Promise.all([
      page.waitForResponse(`${base}/consent`),
      page.waitForRequest((request) => request.url().startsWith(`${REDIRECT_URI}?`)),
      page.getByRole("button", { name: "Allow" }).click(),
    ]);
    await context.close();

    const params = oauth.validateAuthResponse(as, client, new URL(arrived.url()), oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, { [oauth.allowInsecureRequests]: true });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
  });
});
