import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { continueAuthorization } from "../authorize/flow";
import { deliveryOf, resolveClient, validateRequest } from "../authorize/request";
import { OAuthError } from "../errors";
import { formParams, queryParams, type Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import { takePushedParams } from "../par/take";
import { REQUEST_URI_PREFIX } from "../par/request-uri";
import { authorizationParams } from "../authorize/request-object";

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), by GET and by
 * form POST. Until client_id and redirect_uri are known good every error is a
 * page for the person; after that, errors go back to the client with state and iss.
 * With a request_uri (RFC 9126 §4) the pushed parameters stand in for the query's.
 */
async function authorize(c: Context<PagesEnv>, read: (c: Context<PagesEnv>) => Params | Promise<Params>): Promise<Response> {
  const config = c.var.config;
  const query = await read(c);
  // RFC 9126 §4: a pushed request's parameters (validated when pushed); else RFC 9101: a request object's
  // parameters replace the query's. Any other request_uri (JAR by reference) is request_uri_not_supported.
  const raw = query.get("request_uri");
  const requestUri = raw?.startsWith(REQUEST_URI_PREFIX) ? raw : undefined;
  const params = requestUri === undefined ? await authorizationParams(c, query) : await takePushedParams(c.env, config, query, requestUri);
  const trusted = await resolveClient(c.env, config, params);
  // From here on, the pages' error handler may send errors back to the client.
  trustRedirect(c, { redirectUri: trusted.redirectUri, ...deliveryOf(params, trusted.client) });
  if (requestUri === undefined && (config.requirePar || trusted.client.requirePushedAuthorizationRequests || trusted.client.securityProfile === "fapi2")) {
    // RFC 9126 §6 (per client), §5 (provider-wide, REQUIRE_PAR), FAPI 2.0 Security Profile §5.3.2.2.
    throw new OAuthError("invalid_request", 400, "authorization requests of this client must be pushed to the pushed_authorization_request_endpoint first (RFC 9126)", { redirectable: true });
  }
  const req = validateRequest(params, trusted.client, trusted.redirectUri);
  return continueAuthorization(c, c.env, config, trusted.client, req);
}

export const authorizeEndpoint = new Hono<PagesEnv>()
  .get("/authorize", (c) => authorize(c, queryParams))
  .post("/authorize", (c) => authorize(c, formParams));
