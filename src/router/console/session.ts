import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { decodeJwt } from "jose/jwt/decode";
import type { Config } from "../../config";
import { ACR_MFA } from "../../oauth/acr";
import { randomToken, sha256 } from "../../oauth/secrets";
import { OAuthError } from "../errors";
import { signJwt, verifyJwt } from "../keys/cache";
import { authorizationCodeGrant } from "../tokens/code-grant";
import type { AppEnv } from "../types";
import { CONSOLE_CLIENT_ID, consoleClient, consoleRedirectUri } from "./client";

/**
 * The console's own sign-in: /admin without a console session goes through the ordinary
 * /authorize code flow with PKCE (RFC 7636 §4) as the built-in client, the callback
 * redeems the code in-process (the /token grant's own code), and the console keeps a
 * short-lived signed cookie naming the operator and the provider session (`sid`) it came
 * from. Every console request checks that session is still live, so signing out of the
 * provider ends the console session too.
 */
const FLOW_TYP = "authshard-console-flow+jwt";
const SESSION_TYP = "authshard-console+jwt";
const FLOW_TTL_S = 600;

export interface ConsoleSession {
  sub: string;
  sid: string;
  acr: string | null;
}

const flowCookie = (config: Config) => (config.secureCookies ? "__Host-authshard_console_flow" : "authshard_console_flow");
const sessionCookie = (config: Config) => (config.secureCookies ? "__Host-authshard_console" : "authshard_console");
const audience = (config: Config) => `${config.issuer}/admin`;
const cookieOptions = (config: Config, maxAge: number) => ({ path: "/", httpOnly: true, secure: config.secureCookies, sameSite: "Lax" as const, maxAge });

/** Only console paths: the return address never leaves /admin. */
function safeReturn(path: string | undefined): string {
  return path && /^\/admin(?:\/[A-Za-z0-9/_.~%-]*)?(?:\?[\x21-\x7e]*)?$/.test(path) && !path.startsWith("/admin//") ? path : "/admin";
}

/** Redirects to /authorize for the console client; `stepUp` asks for the MFA class (OIDC Core §3.1.2.1 acr_values). */
export async function startSignIn(c: Context<AppEnv>, returnTo: string, stepUp: boolean): Promise<Response> {
  const config = c.var.config;
  const state = randomToken(16);
  const nonce = randomToken(16);
  const verifier = randomToken(32);
  const now = Math.floor(Date.now() / 1000);
  const flow = await signJwt(c.env, config, "ES256", { state, nonce, verifier, ret: safeReturn(returnTo), iss: config.issuer, aud: audience(config), iat: now, exp: now + FLOW_TTL_S }, { typ: FLOW_TYP });
  setCookie(c, flowCookie(config), flow, cookieOptions(config, FLOW_TTL_S));
  const url = new URL(`${config.issuer}/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: CONSOLE_CLIENT_ID,
    redirect_uri: consoleRedirectUri(config),
    scope: "openid email",
    state,
    nonce,
    code_challenge: await sha256(verifier),
    code_challenge_method: "S256",
    ...(stepUp || config.console.mfa === "required" ? { acr_values: ACR_MFA } : {}),
  }).toString();
  return c.redirect(url.toString(), 302);
}

const restart = (why: string) => new OAuthError("invalid_request", 400, `the console sign-in could not be completed (${why}); open /admin again`);

/** GET /admin/console/callback: checks state, redeems the code, sets the console session. */
export async function finishSignIn(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const query = new URL(c.req.url).searchParams;
  const raw = getCookie(c, flowCookie(config));
  deleteCookie(c, flowCookie(config), { path: "/", secure: config.secureCookies });
  const flow = raw ? await verifyJwt(c.env, config, raw, { typ: FLOW_TYP, audience: audience(config) }) : null;
  if (!flow?.ok) throw restart("the sign-in took too long or began in another browser");
  const claims = flow.payload as { state?: string; nonce?: string; verifier?: string; ret?: string };
  if (query.get("state") !== claims.state) throw restart("state does not match");
  const error = query.get("error");
  if (error) throw new OAuthError("access_denied", 403, `sign-in to the console ended: ${query.get("error_description") ?? error}`);
  const code = query.get("code");
  if (!code || !claims.verifier) throw restart("no code");
  const params = new Map([
    ["grant_type", "authorization_code"],
    ["code", code],
    ["redirect_uri", consoleRedirectUri(config)],
    ["code_verifier", claims.verifier],
  ]);
  const tokens = await authorizationCodeGrant(c, consoleClient(config), params);
  // Our own ID token, minted in this request by the grant just above: its claims need no second check.
  const idToken = decodeJwt((tokens as { id_token: string }).id_token);
  if (idToken.nonce !== claims.nonce || typeof idToken.sub !== "string" || typeof idToken.sid !== "string") throw restart("the ID token does not match the request");
  await writeSession(c, { sub: idToken.sub, sid: idToken.sid, acr: typeof idToken.acr === "string" ? idToken.acr : null });
  return c.redirect(safeReturn(claims.ret), 303);
}

async function writeSession(c: Context<AppEnv>, session: ConsoleSession): Promise<void> {
  const config = c.var.config;
  const now = Math.floor(Date.now() / 1000);
  const ttl = config.console.sessionTtlS;
  const jwt = await signJwt(c.env, config, "ES256", { ...session, iss: config.issuer, aud: audience(config), iat: now, exp: now + ttl }, { typ: SESSION_TYP });
  setCookie(c, sessionCookie(config), jwt, { ...cookieOptions(config, ttl), sameSite: "Strict" });
}

export async function readSession(c: Context<AppEnv>): Promise<ConsoleSession | null> {
  const config = c.var.config;
  const raw = getCookie(c, sessionCookie(config));
  if (!raw) return null;
  const verified = await verifyJwt(c.env, config, raw, { typ: SESSION_TYP, audience: audience(config) });
  if (!verified.ok) return null;
  const { sub, sid, acr } = verified.payload as Partial<ConsoleSession>;
  return typeof sub === "string" && typeof sid === "string" ? { sub, sid, acr: typeof acr === "string" ? acr : null } : null;
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, sessionCookie(c.var.config), { path: "/", secure: c.var.config.secureCookies });
}
