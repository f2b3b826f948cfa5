import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Env } from "../../env";
import { sha256 } from "../../oauth/secrets";
import { csrfCookieName } from "../authorize/interaction";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";
import type { PendingLogout } from "./request";

/**
 * A logout without a valid id_token_hint could be forged by any site (a link or
 * an image), so the person confirms it (RP-Initiated Logout 1.0 §6). As with the
 * login and consent forms, the pending request travels in the form as a
 * short-lived JWT bound to the CSRF cookie (signed double submit): no server
 * state for pages never submitted, and a form posted from elsewhere is refused.
 */
const TYP = "authshard-logout+jwt";

interface ConfirmationClaims {
  logout: PendingLogout;
  csrf: string;
}

export async function signConfirmation(env: Env, config: Config, csrf: string, pending: PendingLogout): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: ConfirmationClaims = { logout: pending, csrf: await sha256(csrf) };
  return signJwt(env, config, "ES256", { ...claims, iss: config.issuer, aud: config.issuer, iat: now, exp: now + config.interactionTtlS }, { typ: TYP });
}

const expired = () =>
  new OAuthError("invalid_request", 400, "this sign-out page has expired or was opened in another browser; sign out again from the application");

function isPending(value: unknown): value is PendingLogout {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const nullableString = (x: unknown) => x === null || typeof x === "string";
  return nullableString(v.clientId) && nullableString(v.postLogoutRedirectUri) && nullableString(v.state);
}

/** The pending logout behind a submitted confirmation, if the form is ours, fresh and from this browser. */
export async function openConfirmation(c: Context, env: Env, config: Config, token: string | undefined): Promise<PendingLogout> {
  if (!token) throw expired();
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) throw expired();
  const claims = verified.payload as Partial<ConfirmationClaims>;
  const cookie = getCookie(c, csrfCookieName(config));
  if (!cookie || typeof claims.csrf !== "string" || (await sha256(cookie)) !== claims.csrf || !isPending(claims.logout)) throw expired();
  return claims.logout;
}
