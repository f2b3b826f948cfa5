import * as oauth from "oauth4webapi";
import { expect } from "vitest";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { authorizeUrl, REDIRECT_URI } from "../helpers/oidc";
import { tokenRequest } from "../helpers/codes";
import { env, runInDurableObject } from "cloudflare:test";
import { stubFor } from "../../src/shard/stub";
import { currentDirectoryMap } from "../helpers/shards";

export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
}

/** The development mailbox's messages to `to`, newest first (GET /dev/mail). */
export async function mailTo(to: string): Promise<Mail[]> {
  const res = await call(`/dev/mail?to=${encodeURIComponent(to)}`, { headers: { Accept: "application/json" } });
  expect(res.status).toBe(200);
  return (await json<{ messages: Mail[] }>(res)).messages;
}

/** Waits for the queue consumer to deliver the n-th message to `to`; returns the newest. */
export async function waitForMail(to: string, n = 1, ms = 15_000): Promise<Mail> {
  const deadline = Date.now() + ms;
  let got = await mailTo(to);
  while (got.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    got = await mailTo(to);
  }
  if (got.length < n) throw new Error(`no mail #${n} to ${to}`);
  return got[0]!;
}

export const codeIn = (mail: Mail) => /code is (\d{6})/.exec(mail.text)![1]!;
export const linkIn = (mail: Mail) => /(http:\/\/127\.0\.0\.1:8787\/email-link\?t=\S+)/.exec(mail.text)![1]!;

export interface Started {
  browser: TestBrowser;
  interaction: string;
  verifier: string;
  nonce: string;
}

/** /authorize in a fresh browser, up to the login page. */
export async function startAuthorize(clientId: string, browser = new TestBrowser()): Promise<Started> {
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const res = await browser.get(
    authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid email", state: "s", nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256" }),
  );
  const html = await res.text();
  expect(html).toContain("Email me a code");
  return { browser, interaction: hiddenField(html, "interaction"), verifier, nonce };
}

/** "Email me a code" (or "Forgot password?") on the login page; returns the code page's interaction. */
export async function askForCode(started: Started, email: string, path = "/email-login"): Promise<string> {
  const res = await started.browser.post(path, { interaction: started.interaction, email });
  expect(res.status).toBe(200);
  return hiddenField(await res.text(), "interaction");
}

/** Past the consent page if it is shown, to the redirect back to the client; returns its parameters. */
export async function toRedirect(browser: TestBrowser, res: Response): Promise<URLSearchParams> {
  if (res.status === 200) {
    const html = await res.text();
    if (!html.includes('action="consent"')) throw new Error(`expected consent:\n${html.slice(0, 1500)}`);
    res = await browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
  }
  return redirectParams(res);
}

/** The code redeemed at /token; returns the ID token's claims. */
export async function idTokenClaims(clientId: string, code: string, verifier: string): Promise<Record<string, unknown>> {
  const res = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier, client_id: clientId });
  expect(res.status, await res.clone().text()).toBe(200);
  const { id_token } = await json<{ id_token: string }>(res);
  return JSON.parse(atob(id_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
}

/** Ages the user's live challenges past their expiry, as the clock would; returns how many. */
export async function expireChallenges(userId: string): Promise<number> {
  let n = 0;
  for (const shard of (await currentDirectoryMap()).shards) {
    n += await runInDurableObject(stubFor(env, shard), (_i, state) => state.storage.sql.exec("UPDATE email_challenges SET expires_at = ? WHERE user_id = ? AND used_at IS NULL", Date.now() - 1, userId).rowsWritten);
  }
  return n;
}

/** Email challenges stored in every shard (a refused request must add none). */
export async function challengeCount(): Promise<number> {
  let n = 0;
  for (const shard of (await currentDirectoryMap()).shards) {
    n += await runInDurableObject(stubFor(env, shard), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM email_challenges").one().n);
  }
  return n;
}
