import { decodeJwt } from "jose/jwt/decode";
import type { Context } from "hono";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { keyResolver } from "../clients/client-keys";
import { AssertionRefused, algsOf, checkAssertion } from "../clients/jwt-assertion";
import { getClient, type RegisteredClient } from "../clients/registry";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import { deliveryOf } from "./request";

/**
 * JWT-secured authorization requests by value (RFC 9101): the `request` parameter at
 * /authorize, a JWT signed by the client with one of its registered keys. Encrypted
 * request objects are not supported yet; `request_uri` is refused unless a pushed
 * authorization request handles it first.
 */

/** A request object may be made some time before the browser gets to us (FAPI 2.0 allows an hour). */
const MAX_REQUEST_OBJECT_LIFETIME_S = 3600;

const refused = (description: string) => new OAuthError("invalid_request_object", 400, description, { redirectable: true });

/** A claim's value as a request parameter: strings as they are, numbers as digits, objects (claims) as JSON. */
function asParam(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * For other features (PAR): the authorization parameters of a request object, after
 * checking it (RFC 9101 §6): a JWS (not JWE, not alg none) signed with the client's
 * keys and its request_object_signing_alg (or any of ASSERTION_ALGS), iss = the
 * client_id, aud = our issuer, exp required and at most an hour ahead, nbf and iat
 * honoured, no nested request or request_uri (§4). Throws OAuthError
 * invalid_request_object (redirectable). The object's claims are the parameters: a
 * caller uses only them (§6.3), apart from checking that the query's client_id and
 * response_type match.
 */
export async function requestObjectParams(_env: Env, config: Config, client: RegisteredClient, jwt: string): Promise<Params> {
  if (jwt.split(".").length === 5) throw refused("encrypted request objects are not supported; send a signed request object (RFC 9101 §6.1)");
  let payload;
  try {
    ({ payload } = await checkAssertion(
      jwt,
      {
        keys: keyResolver(client),
        issuer: client.clientId,
        subject: null,
        audiences: [config.issuer],
        algs: algsOf(client.requestObjectSigningAlg),
        maxLifetimeS: MAX_REQUEST_OBJECT_LIFETIME_S,
        requireJti: false,
      },
      "request object",
    ));
  } catch (error) {
    if (error instanceof AssertionRefused) throw refused(error.message);
    throw refused(`the request object could not be verified: ${error instanceof Error ? error.message : String(error)}`);
  }
  if ("request" in payload || "request_uri" in payload) throw refused("a request object must not contain request or request_uri (RFC 9101 §4)");
  if (payload.client_id !== undefined && payload.client_id !== client.clientId) throw refused("the request object's client_id differs from the query's (RFC 9101 §6.3)");
  const params = new Map<string, string>();
  const skip = new Set(["iss", "aud", "exp", "nbf", "iat", "jti", "sub"]);
  for (const [name, value] of Object.entries(payload)) {
    if (!skip.has(name) && value !== null && value !== undefined) params.set(name, asParam(value));
  }
  params.set("client_id", client.clientId);
  return params;
}

/** The object's redirect_uri when it is registered for the client: where an error about the object may go (§6.3). */
function knownRedirect(jwt: string, query: Params, client: RegisteredClient): { redirectUri: string; state: string | null; mode: string | undefined } | null {
  let claims: Record<string, unknown> = {};
  try {
    claims = decodeJwt(jwt);
  } catch {
    // Not a JWT at all: only the query can name the redirect URI.
  }
  const redirectUri = typeof claims.redirect_uri === "string" ? claims.redirect_uri : query.get("redirect_uri");
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) return null;
  const state = typeof claims.state === "string" ? claims.state : (query.get("state") ?? null);
  return { redirectUri, state, mode: typeof claims.response_mode === "string" ? claims.response_mode : query.get("response_mode") };
}

/**
 * /authorize: the parameters to use. With `request`, the object's (RFC 9101 §6.3: only
 * the object's, and the query's client_id and response_type must match it); a client
 * registered with require_signed_request_object must send one (§10.5). Without, the query.
 */
export async function authorizationParams(c: Context<PagesEnv>, query: Params): Promise<Params> {
  const jwt = query.get("request");
  const clientId = query.get("client_id");
  if (jwt === undefined) {
    const client = clientId === undefined ? null : await getClient(c.env, c.var.config, clientId);
    if (client?.requireSignedRequestObject && client.redirectUris.includes(query.get("redirect_uri") ?? "")) {
      trustRedirect(c, { redirectUri: query.get("redirect_uri")!, ...deliveryOf(query, client) });
      throw new OAuthError("invalid_request", 400, "this client must send its authorization requests as a signed request object (RFC 9101 §10.5)", { redirectable: true });
    }
    if (client?.requireSignedRequestObject) throw new OAuthError("invalid_request", 400, "this client must send a signed request object (RFC 9101 §10.5)");
    return query;
  }
  // RFC 9101 §5: client_id in the query names whose keys sign the object.
  if (clientId === undefined) throw new OAuthError("invalid_request", 400, "client_id is missing (RFC 9101 §5: it comes with the request object)");
  if (query.has("request_uri")) throw new OAuthError("invalid_request", 400, "request and request_uri cannot both be sent (RFC 9101 §5)");
  const client = await getClient(c.env, c.var.config, clientId);
  if (!client) throw new OAuthError("invalid_request", 400, "unknown client_id");
  const redirect = knownRedirect(jwt, query, client);
  if (redirect) trustRedirect(c, { redirectUri: redirect.redirectUri, responseMode: redirect.mode === "form_post" ? "form_post" : "query", state: redirect.state });
  const params = await requestObjectParams(c.env, c.var.config, client, jwt);
  const responseType = query.get("response_type");
  if (responseType !== undefined && responseType !== params.get("response_type")) {
    throw refused("the query's response_type differs from the request object's (RFC 9101 §6.3)");
  }
  return params;
}
