import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { resolveClient, validateRequest } from "../authorize/request";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import { invalidRequest } from "../errors";
import { browserCors } from "../http/cors";
import { formParams, type Params } from "../http/params";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { pushedDpopJkt, pushedParameters } from "./request-object";
import { mintRequestUri } from "./request-uri";

/** Client credentials travel with the push but are not part of the authorization request. */
const CLIENT_AUTH_PARAMS = new Set(["client_secret", "client_assertion", "client_assertion_type"]);

/**
 * The authorization request as pushed: every parameter but the client's credentials,
 * with client_id set to the authenticated client (a confidential client may leave it
 * out when it authenticates with Basic; if present it must name that client).
 * Parameters this provider does not know (dpop_jkt, ...) are kept for /authorize.
 */
function authorizationParams(params: Params, client: RegisteredClient): Map<string, string> {
  const named = params.get("client_id");
  if (named !== undefined && named !== client.clientId) throw invalidRequest("client_id does not match the authenticated client");
  const kept = new Map([...params].filter(([name]) => !CLIENT_AUTH_PARAMS.has(name)));
  kept.set("client_id", client.clientId);
  return kept;
}

/**
 * POST /par (RFC 9126 §2): the client authenticates as at /token; the request is
 * validated now, as /authorize would, so its errors come back here as JSON (§2.3)
 * instead of at the redirect URI; one shard call stores it in a random bucket.
 */
async function pushAuthorizationRequest(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const client = await authenticateCaller(c, form);
  // §2.1: a pushed request cannot point at another one.
  if (form.has("request_uri")) throw invalidRequest("request_uri must not be pushed (RFC 9126 §2.1)");
  const params = authorizationParams(await pushedParameters(c, client, form), client);
  await pushedDpopJkt(c, params);
  const { redirectUri } = await resolveClient(c.env, config, params);
  validateRequest(params, client, redirectUri);
  const { requestUri, ref } = await mintRequestUri();
  const input = { bucket: ref.bucket, requestHash: ref.hash, clientId: client.clientId, params: Object.fromEntries(params), ttlS: config.parTtlS };
  const result = await callShard(c.env, config, ref.bucket, (shard) => shard.pushRequest(input));
  if (!result.ok) throw shardFailure(result, "change", "the pushed authorization request");
  return c.json({ request_uri: requestUri, expires_in: config.parTtlS }, 201);
}

export const parEndpoint = new Hono<AppEnv>()
  .use("/par", browserCors(["POST"]))
  .use("/par", noStore({ pragma: true }))
  .use("/par", limitByAddress(TOKEN_IP))
  .post("/par", pushAuthorizationRequest);
