import { join } from "node:path";
import * as oauth from "oauth4webapi";
import type { Browser, Page } from "playwright-core";
import { DEMO_APP } from "../../cli/lib/seed.ts";
import { ROOT } from "../../cli/lib/wrangler.ts";

/** The LDAP tests' person at the login page (typed name, password, Allow) and their app redeeming the code. */

const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const insecure = { [oauth.allowInsecureRequests]: true };

export type SignIn = { callback: URL; verifier: string } | { alert: string };

/** The login page as a person uses it: the typed name and password, then the consent page's Allow. */
export async function signInOnPage(base: string, browser: Browser, typed: string, password: string, shot?: string): Promise<SignIn> {
  const context = await browser.newContext({ viewport: { width: 800, height: 720 } });
  try {
    const page: Page = await context.newPage();
    const verifier = oauth.generateRandomCodeVerifier();
    const params = new URLSearchParams({ client_id: DEMO_APP.client_id, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid email profile", state: "st", nonce: "n-ldap", code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" });
    await page.goto(`${base}/authorize?${params}`);
    // A name that is not an email (a uid, or an injection attempt) must reach the server as typed.
    await page.getByLabel("Email").evaluate((input) => input.setAttribute("type", "text"));
    await page.getByLabel("Password").evaluate((input) => input.removeAttribute("required"));
    await page.getByLabel("Email").fill(typed);
    await page.getByLabel("Password").fill(password);
    // With consent given before, the login answer goes straight back to the app (nothing listens
    // there, and a redirected navigation cannot be routed: the request itself is the result).
    const backAtApp = () => page.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)).then((r) => new URL(r.url()));
    const arrived = backAtApp();
    arrived.catch(() => {});
    const landed = page.waitForURL(`${base}/login`).then(
      () => null,
      () => arrived,
    );
    await page.getByRole("button", { name: "Sign in" }).click();
    const direct = await Promise.race([arrived, landed]);
    if (direct) return { callback: direct, verifier };
    if (await page.getByRole("alert").count()) {
      if (shot) await page.screenshot({ path: join(ROOT, "test", "artifacts", shot), fullPage: true });
      return { alert: (await page.getByRole("alert").textContent()) ?? "" };
    }
    const [callback] = await Promise.all([backAtApp(), page.getByRole("button", { name: "Allow" }).click()]);
    return { callback, verifier };
  } finally {
    await context.close();
  }
}

export async function idTokenClaimsOf(base: string, result: SignIn) {
  if (!("callback" in result)) throw new Error(`expected a sign-in, got the message ${JSON.stringify(result.alert)}`);
  const issuer = new URL(base);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...insecure }));
  const client: oauth.Client = { client_id: DEMO_APP.client_id };
  const params = oauth.validateAuthResponse(as, client, result.callback, "st");
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(DEMO_APP.client_secret), params, REDIRECT_URI, result.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: "n-ldap", requireIdToken: true });
  return oauth.getValidatedIdTokenClaims(tokens)!;
}
