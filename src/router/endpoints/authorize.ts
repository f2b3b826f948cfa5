import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { continueAuthorization } from "../authorize/flow";
import { deliveryOf, resolveClient, validateRequest } from "../authorize/request";
import { deliverError, errorPage, pageError } from "../authorize/respond";
import { toOAuthError } from "../on-error";
import { formParams, queryParams, type Params } from "../http/params";
import type { AppEnv } from "../types";

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), by GET and by
 * form POST. Until client_id and redirect_uri are known good every error is a
 * page for the person; after that, errors go back to the client with state and iss.
 */
async function authorize(c: Context<AppEnv>, read: (c: Context<AppEnv>) => Params | Promise<Params>): Promise<Response> {
  const config = c.var.config;
  let params: Params;
  let trusted: Awaited<ReturnType<typeof resolveClient>>;
  try {
    params = await read(c);
    trusted = await resolveClient(c.env, config, params);
  } catch (error) {
    return errorPage(c, toOAuthError(error));
  }
  try {
    const req = validateRequest(params, trusted.client, trusted.redirectUri);
    return await continueAuthorization(c, c.env, config, trusted.client, req);
  } catch (error) {
    const oauth = pageError(c, error, "/authorize");
    // server_error and temporarily_unavailable are authorization responses too (RFC 6749 §4.1.2.1).
    if (!oauth.redirectable && oauth.status < 500) return errorPage(c, oauth);
    return deliverError(c, config, { redirectUri: trusted.redirectUri, ...deliveryOf(params) }, oauth);
  }
}

export const authorizeEndpoint = new Hono<AppEnv>()
  .get("/authorize", (c) => authorize(c, queryParams))
  .post("/authorize", (c) => authorize(c, formParams));
