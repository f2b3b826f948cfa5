import * as oauth from "oauth4webapi";
import { TestBrowser } from "./browser";
import { call } from "./http";
import { createUser, REDIRECT_URI, signIn } from "./oidc";

export interface IssuedCode {
  code: string;
  verifier: string;
  nonce: string;
  browser: TestBrowser;
}

/** Signs a fresh (or given) user in and returns an unredeemed code with its PKCE verifier. */
export async function issueCode(
  clientId: string,
  options: { user?: { email: string; password: string }; scope?: string; pkce?: boolean; browser?: TestBrowser; extra?: Record<string, string> } = {},
): Promise<IssuedCode> {
  const user = options.user ?? (await createUser());
  const verifier = oauth.generateRandomCodeVerifier();
  const nonce = oauth.generateRandomNonce();
  const browser = options.browser ?? new TestBrowser();
  const params: Record<string, string> = {
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: options.scope ?? "openid profile email offline_access",
    state: "s",
    nonce,
    ...options.extra,
  };
  if (options.pkce !== false) {
    params.code_challenge = await oauth.calculatePKCECodeChallenge(verifier);
    params.code_challenge_method = "S256";
  }
  const response = await signIn(browser, params, user);
  const code = response.get("code");
  if (!code) throw new Error(`no code: ${response}`);
  return { code, verifier, nonce, browser };
}

/** A raw token request, as a client would send it. */
export function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return call("/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export function basic(clientId: string, secret: string): Record<string, string> {
  return { Authorization: `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)}` };
}

export function redeemFields(issued: IssuedCode, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: "authorization_code", code: issued.code, redirect_uri: REDIRECT_URI, code_verifier: issued.verifier, ...extra };
}
