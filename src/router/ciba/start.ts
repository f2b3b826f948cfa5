import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { newId } from "../../oauth/artifacts";
import { CIBA } from "../../oauth/grant-types";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { resolveHintedUser, unknownUser } from "./hints";
import { authReqIdOf, grantIdOf } from "./ids";
import { bindingMessage, cibaScope, notificationToken, refuseSignedRequest, requestLifetime } from "./request";

/** CIBA Core §7.3 interval: the minimum seconds between polls we ask of a poll or ping client. */
export const CIBA_POLL_INTERVAL_S = 5;

/** §7.1 / §13 unauthorized_client: only clients registered for the CIBA grant, with a delivery mode, may ask. */
function cibaClient(client: RegisteredClient): RegisteredClient & { backchannelTokenDeliveryMode: "poll" | "ping" | "push" } {
  const mode = client.backchannelTokenDeliveryMode;
  if (!client.grantTypes.has(CIBA) || mode === null) throw new OAuthError("unauthorized_client", 400, `this client is not registered for ${CIBA} with a backchannel_token_delivery_mode`);
  if (client.clientType !== "confidential") throw new OAuthError("unauthorized_client", 400, "CIBA needs a confidential client (CIBA Core §7.1)");
  return { ...client, backchannelTokenDeliveryMode: mode };
}

/**
 * POST /bc-authorize (CIBA Core §7): the client authenticates as at /token; the hint is
 * resolved to a user (an email costs one D1 index read, here, never on the poll path);
 * one call to the user's shard stores the request — which also refuses a disabled user —
 * and records `ciba.requested`, whose job notifies the authentication device.
 */
async function backchannelAuthorize(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const secret = config.ciba.secret;
  if (secret === null) throw new OAuthError("not_found", 404, "CIBA is not enabled on this provider (CIBA_SECRET is unset)");
  const params = await formParams(c);
  const client = cibaClient(await authenticateCaller(c, params));
  refuseSignedRequest(params);
  const scope = cibaScope(client, params.get("scope"));
  const message = bindingMessage(params.get("binding_message"));
  const token = notificationToken(client, params.get("client_notification_token"));
  const ttlS = requestLifetime(config.ciba, params.get("requested_expiry"));
  const userId = await resolveHintedUser(c.env, config, client.clientId, params);

  const bucket = bucketOf(userId);
  const requestId = newId();
  const authReqId = await authReqIdOf(secret, bucket, requestId);
  const input = {
    bucket,
    requestId,
    authReqIdHash: await sha256(authReqId),
    grantId: await grantIdOf(authReqId),
    userId,
    clientId: client.clientId,
    scope,
    bindingMessage: message,
    mode: client.backchannelTokenDeliveryMode,
    notificationToken: token,
    ttlS,
    intervalS: CIBA_POLL_INTERVAL_S,
  };
  const started = await callShard(c.env, config, bucket, (shard) => shard.startCiba(input));
  if (!started.ok) {
    if (started.error === "not_found") throw unknownUser("no user is known by this hint", started.detail);
    if (started.error === "disabled") throw new OAuthError("access_denied", 403, "this user cannot be authenticated", { detail: started.detail });
    throw shardFailure(started, "change", "the authentication request");
  }
  // §7.3: interval only where the client polls (poll, and ping's /token call after the ping).
  return c.json({ auth_req_id: authReqId, expires_in: ttlS, ...(client.backchannelTokenDeliveryMode === "push" ? {} : { interval: CIBA_POLL_INTERVAL_S }) });
}

export const backchannelAuthenticationEndpoint = new Hono<AppEnv>()
  .use("/bc-authorize", noStore({ pragma: true }))
  .use("/bc-authorize", limitByAddress(TOKEN_IP))
  .post("/bc-authorize", backchannelAuthorize);
