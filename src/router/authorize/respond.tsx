import type { Context } from "hono";
import type { Config } from "../../config";
import type { OAuthError } from "../errors";
import { toOAuthError } from "../on-error";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { ErrorPage, FormPostPage } from "../views/pages";

export interface Delivery {
  redirectUri: string;
  responseMode: "query" | "form_post";
  state: string | null;
}

/**
 * Sends an authorization response to the client (RFC 6749 §4.1.2), always with
 * `iss` (RFC 9207 §2), by redirect (query) or by auto-submitted form (form_post).
 */
export async function deliver(c: Context, config: Config, to: Delivery, fields: Record<string, string>): Promise<Response> {
  const all: Record<string, string> = { ...fields, ...(to.state !== null ? { state: to.state } : {}), iss: config.issuer };
  c.header("Cache-Control", "no-store");
  if (to.responseMode === "form_post") {
    const security = pageSecurity([new URL(to.redirectUri).origin]);
    c.header("Content-Security-Policy", contentSecurityPolicy(security));
    return c.html(<FormPostPage security={security} action={to.redirectUri} fields={all} />);
  }
  const url = new URL(to.redirectUri);
  for (const [name, value] of Object.entries(all)) url.searchParams.append(name, value);
  // 303 makes the browser follow a POST (form, login, consent) with a GET.
  return c.redirect(url.href, c.req.method === "GET" ? 302 : 303);
}

export async function deliverError(c: Context, config: Config, to: Delivery, error: OAuthError): Promise<Response> {
  return deliver(c, config, to, { error: error.code, error_description: error.description });
}

/**
 * An error thrown while serving a page a person is looking at (`route`), as an
 * OAuthError; server errors are logged with their detail, which the page never shows.
 */
export function pageError(c: Context, error: unknown, route: string): OAuthError {
  const oauth = toOAuthError(error);
  if (oauth.status >= 500) console.error(`${c.req.method} ${route} -> ${oauth.code}`, oauth.detail ?? "");
  return oauth;
}

/** When the client or redirect URI cannot be trusted, the person sees the error; nothing is redirected. */
export async function errorPage(c: Context, error: OAuthError, request: "sign-in" | "sign-out" = "sign-in"): Promise<Response> {
  const security = pageSecurity();
  c.header("Cache-Control", "no-store");
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  const title = error.status >= 500 ? "Something went wrong" : `This ${request} request is not valid`;
  return c.html(<ErrorPage security={security} title={title} message={error.description} />, error.status as 400);
}
