import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Env } from "../../env";
import { randomToken, sha256 } from "../../oauth/secrets";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";
import type { AuthorizationRequest } from "./request";

/**
 * The pending authorization request travels with the login and consent forms as
 * a short-lived JWT signed by the provider, so no server state is kept for pages
 * that are never submitted. It is bound to a random CSRF cookie (signed double
 * submit): a form posted from another site lacks the cookie and is refused.
 */
const TYP = "authshard-interaction+jwt";

export function csrfCookieName(config: Config): string {
  return config.secureCookies ? "__Host-authshard_csrf" : "authshard_csrf";
}

interface InteractionClaims {
  req: AuthorizationRequest;
  csrf: string;
  /** Set once the consent page is shown: the session it was shown to. */
  sid?: string;
}

/** Reuses the browser's CSRF cookie or sets a new one; returns its value. */
export function csrfCookie(c: Context, config: Config): string {
  const name = csrfCookieName(config);
  const existing = getCookie(c, name);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const value = randomToken();
  setCookie(c, name, value, { path: "/", httpOnly: true, secure: config.secureCookies, sameSite: "Lax", maxAge: config.interactionTtlS });
  return value;
}

export async function signInteraction(env: Env, config: Config, csrf: string, req: AuthorizationRequest, sid?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: InteractionClaims = { req, csrf: await sha256(csrf), ...(sid ? { sid } : {}) };
  return signJwt(env, config, "ES256", { ...claims, iss: config.issuer, aud: config.issuer, iat: now, exp: now + config.interactionTtlS }, { typ: TYP });
}

const expired = () =>
  new OAuthError("invalid_request", 400, "this sign-in page has expired or was opened in another browser; start again from the application");

/** The pending request behind a submitted form, if the form is ours, fresh and from this browser. */
export async function openInteraction(c: Context, env: Env, config: Config, token: string | undefined): Promise<InteractionClaims> {
  if (!token || token.length > 8192) throw expired();
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) throw expired();
  const claims = verified.payload as unknown as InteractionClaims;
  const cookie = getCookie(c, csrfCookieName(config));
  if (!cookie || !claims.csrf || (await sha256(cookie)) !== claims.csrf || !claims.req) throw expired();
  return claims;
}
