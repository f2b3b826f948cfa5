import type { Context } from "hono";
import type { Env } from "../../env";
import type { Config } from "../../config";
import type { OAuthError } from "../errors";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { FormPostPage } from "../views/pages";
import { jarmResponse } from "./jarm";
import type { JarmSigning, ResponseMode } from "./response-mode";

export interface Delivery {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | null;
  /** Set for the .jwt modes: the response goes as one signed JWT (JARM). */
  jarm?: JarmSigning | null;
}

/**
 * Sends an authorization response to the client (RFC 6749 §4.1.2), always with
 * `iss` (RFC 9207 §2), by redirect (query or fragment) or by auto-submitted form
 * (form_post) — for the .jwt modes as one signed `response` parameter (JARM §2.3).
 */
export async function deliver(c: Context, config: Config, to: Delivery, fields: Record<string, string>): Promise<Response> {
  const all: Record<string, string> = { ...fields, ...(to.state !== null ? { state: to.state } : {}), iss: config.issuer };
  const [base, jwt] = to.responseMode.split(".");
  const sent = jwt && to.jarm ? { response: await jarmResponse(c.env as Env, config, to.jarm, all) } : all;
  if (base === "form_post") {
    const security = pageSecurity([new URL(to.redirectUri).origin]);
    c.header("Content-Security-Policy", contentSecurityPolicy(security));
    return c.html(<FormPostPage security={security} action={to.redirectUri} fields={sent} />);
  }
  const url = new URL(to.redirectUri);
  if (base === "fragment") url.hash = new URLSearchParams(sent).toString();
  else for (const [name, value] of Object.entries(sent)) url.searchParams.append(name, value);
  // 303 makes the browser follow a POST (form, login, consent) with a GET.
  return c.redirect(url.href, c.req.method === "GET" ? 302 : 303);
}

export async function deliverError(c: Context, config: Config, to: Delivery, error: OAuthError): Promise<Response> {
  return deliver(c, config, to, { error: error.code, error_description: error.description });
}
