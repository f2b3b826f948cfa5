import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Config } from "../../config";
import { sha256 } from "../../oauth/secrets";
import { csrfCookie, csrfCookieName } from "../authorize/interaction";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { lookOf } from "../branding/look";
import type { RegisteredClient } from "../clients/registry";

/**
 * CSRF for the stand-alone pages (device approval, CIBA approval): the form carries the
 * hash of this browser's CSRF cookie, a double submit another site cannot forge.
 */
export async function formCsrfValue(c: Context, config: Config): Promise<string> {
  return sha256(csrfCookie(c, config));
}

/** Refuses a form whose CSRF value is not this browser's; `again` tells the person what to reopen. */
export async function checkFormCsrf(c: Context, config: Config, form: Params, again: string): Promise<void> {
  const cookie = getCookie(c, csrfCookieName(config));
  const sent = form.get("csrf");
  if (!cookie || !sent || (await sha256(cookie)) !== sent) {
    throw new OAuthError("invalid_request", 400, `this page has expired or was opened in another browser; ${again}`);
  }
}

/** A page's security settings (and its language and brand: the client's, when known), with its Content-Security-Policy header set. */
export async function securedPage(c: Context, client?: RegisteredClient | null) {
  const security = pageSecurity([], [], await lookOf(c, c.var.config, client));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return security;
}
