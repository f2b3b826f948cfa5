import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { stepAt, totpCode, TOTP_PERIOD_S } from "../../src/oauth/totp-codes";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { authorizeUrl, createUser, discover, REDIRECT_URI, rp } from "../helpers/oidc";

export { ACR_MFA } from "../../src/oauth/acr";

/** The code an authenticator app shows `offset` steps from now (RFC 6238 §4). */
export function codeAt(secret: string, offset = 0): string {
  return totpCode(secret, stepAt(Date.now()) + offset);
}

/**
 * Tests use the steps around "now" (enrol with the previous one, sign in with this one or
 * the next): a step boundary in the middle would shift them, so start well inside a step.
 */
export async function awayFromStepBoundary(): Promise<void> {
  const into = (Date.now() / 1000) % TOTP_PERIOD_S;
  if (into < 1 || into > TOTP_PERIOD_S - 6) await new Promise((r) => setTimeout(r, (TOTP_PERIOD_S - into + 1) * 1000));
}

/** The account page's form for `action` posted with its CSRF value. */
export async function accountForm(browser: TestBrowser, action: string, fields: Record<string, string> = {}): Promise<Response> {
  const page = await (await browser.get("/account")).text();
  return browser.post("/account", { csrf: hiddenField(page, "csrf"), action, ...fields });
}

export async function accountSignIn(browser: TestBrowser, user: { email: string; password: string }): Promise<Response> {
  return accountForm(browser, "sign_in", { email: user.email, password: user.password });
}

/** A user with TOTP switched on through the account page; the confirmation used the previous step. */
export async function userWithTotp(): Promise<{ user: Awaited<ReturnType<typeof createUser>>; secret: string; recoveryCodes: string[] }> {
  await awayFromStepBoundary();
  const user = await createUser();
  const browser = new TestBrowser();
  const signedIn = await accountSignIn(browser, user);
  if (signedIn.status !== 303) throw new Error(`account sign-in failed: ${signedIn.status} ${await signedIn.text()}`);
  const started = await (await accountForm(browser, "start_totp")).text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)?.[1];
  if (!secret) throw new Error(`no secret on the page:\n${started.slice(0, 2000)}`);
  const confirmed = await accountForm(browser, "confirm_totp", { code: codeAt(secret, -1) });
  const html = await confirmed.text();
  if (confirmed.status !== 200 || !html.includes("Two-factor sign-in is on.")) throw new Error(`confirmation failed: ${confirmed.status}\n${html.slice(0, 2000)}`);
  const recoveryCodes = [...html.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map((m) => m[1]!);
  return { user, secret, recoveryCodes };
}

/** An authorization request of a client for the pages (PKCE, nonce), with extra parameters. */
export async function authorizeParams(clientId: string, extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const params = {
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid",
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...extra,
  };
  return { params, verifier, nonce };
}

/** authorize → login form → the page that follows the password (the code page for a TOTP user). */
export async function passwordStep(browser: TestBrowser, params: Record<string, string>, user: { email: string; password: string }): Promise<Response> {
  const html = await (await browser.get(authorizeUrl(params))).text();
  return browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
}

export async function submitCode(browser: TestBrowser, page: string, code: string): Promise<Response> {
  return browser.post("/second-factor", { pending: hiddenField(page, "pending"), code });
}

/** Allows on the consent page if it is shown; returns the redirect's parameters. */
export async function throughConsent(browser: TestBrowser, res: Response): Promise<URLSearchParams> {
  if (res.status === 200) {
    const html = await res.text();
    if (!html.includes('action="consent"')) throw new Error(`expected the consent page, got:\n${html.slice(0, 1500)}`);
    res = await browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
  }
  return redirectParams(res);
}

/** Redeems a code as a public client and returns the ID token's claims (validated by oauth4webapi). */
export async function idTokenClaims(clientId: string, callback: URLSearchParams, verifier: string, nonce: string) {
  const as = await discover();
  const client = { client_id: clientId };
  const params = oauth.validateAuthResponse(as, client, callback, oauth.expectNoState);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, rp);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  return { claims: oauth.getValidatedIdTokenClaims(tokens)!, access: decodeJwt(tokens.access_token) };
}
