import type { Context } from "hono";
import type { Config } from "../../config";
import type { OAuthError } from "../errors";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { FormPostPage } from "../views/pages";

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
