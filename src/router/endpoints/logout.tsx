import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { deleteCookie } from "hono/cookie";
import { csrfCookie } from "../authorize/interaction";
import { readSessionCookie, sessionCookieName } from "../authorize/session-cookie";
import type { Config } from "../../config";
import { formParams, queryParams, type Params } from "../http/params";
import { openConfirmation, signConfirmation } from "../logout/confirmation";
import { endBrowserSession, endHintedSession } from "../logout/end";
import { revalidatePending, validateLogoutRequest, type LogoutRequest } from "../logout/request";
import type { PagesEnv } from "../pages/env";
import type { AppEnv } from "../types";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { FrontchannelLogoutPage, LogoutConfirmPage, SignedOutPage } from "../views/logout";
import { frontchannelFrames } from "../logout/frontchannel";
import { samlLogoutFrames } from "../saml/logout-frames";
import type { Ended } from "../../actors/user-shard/api";
import { lookOf } from "../branding/look";
import { localeOfUiLocales } from "../../i18n";
import type { RegisteredClient } from "../clients/registry";

/** RP-Initiated Logout 1.0 §2 ui_locales (on a GET), the client's brand when the request names one. */
function logoutLook(c: Context, client: RegisteredClient | null): ReturnType<typeof lookOf> {
  return lookOf(c, c.var.config, client, localeOfUiLocales(c.req.query("ui_locales")?.slice(0, 256)));
}

/**
 * The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0), by GET and by
 * form POST (§2). A valid id_token_hint whose subject owns the browser's session
 * ends it at once; otherwise the person confirms first (§6). Ending a session
 * revokes the grants bound to it in the same shard transaction (src/actors/shard/logout.ts).
 */

async function headers(c: Context, req: Pick<LogoutRequest, "postLogoutRedirectUri" | "client">) {
  const security = pageSecurity(req.postLogoutRedirectUri ? [new URL(req.postLogoutRedirectUri).origin] : [], [], await logoutLook(c, req.client));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return security;
}

function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, sessionCookieName(config), { path: "/", secure: config.secureCookies, httpOnly: true, sameSite: "Lax" });
}

/**
 * §3: back to the registered post_logout_redirect_uri with state, or a page saying it is done.
 * When clients of the ended session registered front-channel logout, the page frames them first
 * (Front-Channel Logout 1.0 §3), and SAML SPs of the session their LogoutRequests (SAML
 * Profiles §4.4), and moves on to the redirect URI after.
 */
async function signedOut(c: Context<PagesEnv>, req: LogoutRequest, ended: Ended | null = null): Promise<Response> {
  const frames = ended ? [...(await frontchannelFrames(c.env, c.var.config, ended)), ...(await samlLogoutFrames(c.env, c.var.config, ended))] : [];
  let next: string | null = null;
  if (req.postLogoutRedirectUri) {
    const url = new URL(req.postLogoutRedirectUri);
    if (req.state !== null) url.searchParams.append("state", req.state);
    next = url.href;
  }
  if (frames.length > 0) {
    const security = pageSecurity(next ? [new URL(next).origin] : [], frames.map((f) => new URL(f).origin), await logoutLook(c, req.client));
    c.header("Content-Security-Policy", contentSecurityPolicy(security));
    return c.html(<FrontchannelLogoutPage security={security} clientName={req.client?.clientName ?? null} frames={frames} next={next} />);
  }
  // 303 turns a POST into a GET at the RP.
  if (next) return c.redirect(next, c.req.method === "GET" ? 302 : 303);
  const security = await headers(c, req);
  return c.html(<SignedOutPage security={security} clientName={req.client?.clientName ?? null} />);
}

async function confirmationPage(c: Context<PagesEnv>, req: LogoutRequest): Promise<Response> {
  const config = c.var.config;
  const pending = { clientId: req.client?.clientId ?? null, postLogoutRedirectUri: req.postLogoutRedirectUri, state: req.state };
  const confirmation = await signConfirmation(c.env, config, csrfCookie(c, config), pending);
  const security = await headers(c, req);
  return c.html(<LogoutConfirmPage security={security} clientName={req.client?.clientName ?? null} confirmation={confirmation} />);
}

/** The confirmation form's POST: same-site, so the session cookie comes with it. */
async function confirmed(c: Context<PagesEnv>, params: Params): Promise<Response> {
  const config = c.var.config;
  const pending = await openConfirmation(c, c.env, config, params.get("confirmation"));
  const req = await revalidatePending(c.env, config, pending);
  const session = await readSessionCookie(c, config);
  const ended = session ? await endBrowserSession(c.env, config, session, null, req.client, "user") : null;
  clearSessionCookie(c, config);
  return signedOut(c, req, ended);
}

async function logout(c: Context<PagesEnv>, params: Params): Promise<Response> {
  const config = c.var.config;
  if (c.req.method === "POST" && params.has("confirmation")) return confirmed(c, params);
  const req = await validateLogoutRequest(c.env, config, params);
  const session = await readSessionCookie(c, config);
  if (!session) {
    // A cross-site form POST carries no SameSite=Lax cookie: the hint's sid names the session.
    if (req.hint?.sid) return signedOut(c, req, await endHintedSession(c.env, config, req.hint, req.client));
    // A GET is a top-level navigation, which does carry the cookie: no cookie, no session.
    // A POST without cookie or hint may still have a session: the confirmation's same-site POST will tell.
    return c.req.method === "GET" ? signedOut(c, req) : confirmationPage(c, req);
  }
  if (!req.hint) return confirmationPage(c, req);
  const ended = await endBrowserSession(c.env, config, session, req.hint.sub, req.client, "rp");
  // The browser is signed in as someone else than the hint says: ask the person.
  if (ended.outcome === "other_user") return confirmationPage(c, req);
  clearSessionCookie(c, config);
  return signedOut(c, req, ended);
}

/** Nothing is redirected on an error (no trustRedirect): every error is a page for the person. */
async function handle(c: Context<PagesEnv>, read: (c: Context<PagesEnv>) => Params | Promise<Params>): Promise<Response> {
  c.set("request", "sign-out");
  return logout(c, await read(c));
}

export const logoutEndpoint = new Hono<PagesEnv>()
  .get("/logout", (c) => handle(c, queryParams))
  .post("/logout", (c) => handle(c, formParams));
