import type { Context } from "hono";
import { bucketOfArtifact, mintRefreshToken } from "../../oauth/artifacts";
import { CIBA } from "../../oauth/grant-types";
import { sha256 } from "../../oauth/secrets";
import { grantIdOf } from "../ciba/ids";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidGrant } from "../errors";
import { required, type Params } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { issueTokens } from "./issue";

/** One description for every reason an auth_req_id is refused outright (CIBA Core §11 invalid_grant). */
const AUTH_REQ_ID_REFUSED = "the auth_req_id is invalid or already used, or was issued to another client";

/** CIBA Core §11: the answers of a poll that has nothing to redeem yet, or never will. */
const POLL_ERRORS = {
  authorization_pending: "the user has not yet been authenticated or has not yet answered",
  slow_down: "polling too fast: wait 5 more seconds between requests from now on",
  access_denied: "the user denied the request",
  expired_token: "the auth_req_id has expired; start a new authentication request",
} as const;

/**
 * grant_type=urn:openid:params:grant-type:ciba (CIBA Core §10.1, §11). The request lives
 * in the user's shard (its bucket is in the auth_req_id), so a poll — pending, or the one
 * that redeems — is one shard call and no D1 query: approval wrote the grant beside the
 * request, and redemption finishes it in the same transaction that marks it used.
 * §10.1: a push client gets its tokens delivered and may not poll.
 */
export async function cibaGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params) {
  const config = c.var.config;
  if (!client.grantTypes.has(CIBA) || client.backchannelTokenDeliveryMode === null) throw new OAuthError("unauthorized_client", 400, `this client may not use ${CIBA}`);
  if (client.backchannelTokenDeliveryMode === "push") throw new OAuthError("unauthorized_client", 400, "push-mode clients receive their tokens at their notification endpoint and may not poll (CIBA Core §10.1)");
  const authReqId = required(params, "auth_req_id");
  const bucket = bucketOfArtifact("b", authReqId);
  if (bucket === null) throw invalidGrant(AUTH_REQ_ID_REFUSED, "not an auth_req_id of this provider");
  // A redemption spent without tokens to show for it is lost to the client: sign-ready first.
  await ensureSigningKeys(c.env, config);
  const refresh = client.grantTypes.has("refresh_token") ? mintRefreshToken(bucket, await grantIdOf(authReqId)) : null;
  const input = {
    bucket,
    authReqIdHash: await sha256(authReqId),
    clientId: client.clientId,
    refreshTokenHash: refresh === null ? null : await sha256(refresh),
    grantTtlS: config.accessTokenTtlS,
    offlineTtlS: config.refreshMaxTtlS,
  };
  const polled = await callShard(c.env, config, bucket, (shard) => shard.pollCiba(input));
  if (!polled.ok) {
    if (polled.error === "invalid_grant") throw invalidGrant(AUTH_REQ_ID_REFUSED, polled.detail);
    throw shardFailure(polled, "code", "the auth_req_id redemption");
  }
  if (polled.status !== "approved") throw new OAuthError(polled.status, 400, POLL_ERRORS[polled.status]);
  const redeemed = { user: polled.user, scope: polled.scope, authTime: polled.authTime, nonce: null, acr: polled.acr, amr: polled.amr, sid: null };
  const tokens = await issueTokens(c.env, config, { client, grantId: polled.grantId, redeemed });
  return polled.refreshIssued && refresh ? { ...tokens, refresh_token: refresh } : tokens;
}
