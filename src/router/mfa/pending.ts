import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { sha256 } from "../../oauth/secrets";
import type { AuthorizationRequest } from "../authorize/request";
import { csrfCookieName } from "../authorize/interaction";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";

/**
 * The sign-in waiting for its second factor travels with the code form as a short-lived
 * JWT signed by the provider (like the login form's interaction), bound to the browser's
 * CSRF cookie. It names the user whose password was checked (or the session to step up),
 * so the password step itself never opens a session that skips the second factor.
 */
const TYP = "authshard-second-factor+jwt";

export interface PendingSecondFactor {
  /** The authorization request to continue; null for the account page's own sign-in. */
  req: AuthorizationRequest | null;
  userId: string;
  bucket: number;
  /** The live session to step up; null after a password check (no session yet). */
  sid: string | null;
}

export async function signPending(env: Env, config: Config, csrf: string, pending: PendingSecondFactor): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(env, config, "ES256", { ...pending, csrf: await sha256(csrf), iss: config.issuer, aud: config.issuer, iat: now, exp: now + config.interactionTtlS }, { typ: TYP });
}

const expired = () => new OAuthError("invalid_request", 400, "this sign-in page has expired or was opened in another browser; start again from the application");

export async function openPending(c: Context, env: Env, config: Config, token: string | undefined): Promise<PendingSecondFactor> {
  if (!token || token.length > 8192) throw expired();
  const verified = await verifyJwt(env, config, token, { typ: TYP, audience: config.issuer });
  if (!verified.ok) throw expired();
  const claims = verified.payload as unknown as PendingSecondFactor & { csrf?: string };
  const cookie = getCookie(c, csrfCookieName(config));
  if (!cookie || !claims.csrf || (await sha256(cookie)) !== claims.csrf || claims.req === undefined || typeof claims.userId !== "string" || typeof claims.bucket !== "number") throw expired();
  return { req: claims.req, userId: claims.userId, bucket: claims.bucket, sid: claims.sid ?? null };
}
