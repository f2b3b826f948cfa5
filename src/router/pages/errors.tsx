import type { Context, ErrorHandler } from "hono";
import { deliverError, type Delivery } from "../authorize/respond";
import type { OAuthError } from "../errors";
import { toOAuthError } from "../on-error";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { ErrorPage } from "../views/pages";
import type { PagesEnv } from "./env";
import { lookOf } from "../branding/look";
import { t, type Locale } from "../../i18n";

/**
 * The one error path of the pages a person looks at (authorize, login, consent,
 * logout). Until a route has validated the client and its redirect URI (and said so
 * with `trustRedirect`: /authorize once it checked them, the login and consent forms
 * once they checked the client again), an error is a page for the person: nothing is
 * redirected to an address nobody vouched for (RFC 6749 §4.1.2.1). After that, errors the client
 * should know of — the redirectable ones, and server_error and temporarily_unavailable
 * (also authorization responses) — go back to the client with state and iss.
 * Server errors are logged with their detail, which no page shows. An error's headers
 * (Retry-After on a 503) go out with the page as with the redirect.
 */
export const pageOnError: ErrorHandler<PagesEnv> = (error, c) => {
  const oauth = toOAuthError(error);
  if (oauth.status >= 500) console.error(`${c.req.method} ${new URL(c.req.url).pathname} -> ${oauth.code}`, oauth.detail ?? "");
  const delivery = c.get("delivery");
  if (delivery && (oauth.redirectable || oauth.status >= 500)) return deliverError(c, c.var.config, delivery, oauth);
  return errorPage(c, oauth, c.get("request") ?? "sign-in");
};

/** Says that errors from here on may go to the client: its redirect URI is validated. */
export function trustRedirect(c: Context<PagesEnv>, delivery: Delivery): void {
  c.set("delivery", delivery);
}

function pageTitle(error: OAuthError, request: "sign-in" | "sign-out", locale: Locale): string {
  if (error.status >= 500) return t(locale, "error.server");
  // Nothing is wrong with the request itself: the same one succeeds once the limit resets.
  if (error.status === 429) return t(locale, "error.too_many");
  return t(locale, request === "sign-in" ? "error.sign_in_invalid" : "error.sign_out_invalid");
}

/** A page showing `error` (its status, its headers, no details of a server error). */
export async function errorPage(c: Context, error: OAuthError, request: "sign-in" | "sign-out" = "sign-in"): Promise<Response> {
  // The deployment's brand and the browser's language (no client is trusted yet on an error page).
  const security = pageSecurity([], [], await lookOf(c, c.var.config));
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  const title = pageTitle(error, request, security.look!.locale);
  return c.html(<ErrorPage security={security} title={title} message={error.description} />, error.status as 400);
}
