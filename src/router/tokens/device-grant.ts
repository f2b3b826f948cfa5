import type { Context } from "hono";
import { bucketOfArtifact, mintRefreshToken } from "../../oauth/artifacts";
import { DEVICE_CODE } from "../../oauth/grant-types";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidGrant } from "../errors";
import { required, type Params } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { issueTokens } from "./issue";
import type { AcceptedProof } from "../dpop/proof";
import { dpopForShard } from "../dpop/token";

/** One description for every reason a device code is refused outright (RFC 6749 §5.2). */
const DEVICE_CODE_REFUSED = "the device code is invalid or already used, or was issued to another client";

/** RFC 8628 §3.5: the answers of a poll that has nothing to redeem yet, or never will. */
const POLL_ERRORS = {
  authorization_pending: "the user has not yet approved or denied the request",
  slow_down: "polling too fast: wait 5 more seconds between requests from now on",
  access_denied: "the user denied the request",
  expired_token: "the device code has expired; start a new device authorization",
} as const;

/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4). While
 * pending a poll is one call to the shard of the device code's bucket. Once approved,
 * that same call marks the request redeemed (exactly once, in one transaction); a
 * second call to the user's shard then gives the grant written at approval its
 * lifetime and refresh family, and the tokens are signed as for a code.
 */
export async function deviceCodeGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null = null) {
  const config = c.var.config;
  if (!client.grantTypes.has(DEVICE_CODE)) throw new OAuthError("unauthorized_client", 400, `this client may not use ${DEVICE_CODE}`);
  const deviceCode = required(params, "device_code");
  const bucket = bucketOfArtifact("d", deviceCode);
  if (bucket === null) throw invalidGrant(DEVICE_CODE_REFUSED, "not a device code of this provider");
  // A redemption spent without tokens to show for it is lost to the device: sign-ready first.
  await ensureSigningKeys(c.env, config);
  const input = { bucket, deviceCodeHash: await sha256(deviceCode), clientId: client.clientId };
  const polled = await callShard(c.env, config, bucket, (shard) => shard.pollDevice(input));
  if (!polled.ok) {
    if (polled.error === "invalid_grant") throw invalidGrant(DEVICE_CODE_REFUSED, polled.detail);
    throw shardFailure(polled, "code", "the device code redemption");
  }
  if (polled.status !== "approved") throw new OAuthError(polled.status, 400, POLL_ERRORS[polled.status]);

  const userBucket = bucketOf(polled.userId);
  const refresh = client.grantTypes.has("refresh_token") ? mintRefreshToken(userBucket, polled.grantId) : null;
  const redeem = {
    bucket: userBucket,
    userId: polled.userId,
    grantId: polled.grantId,
    refreshTokenHash: refresh === null ? null : await sha256(refresh),
    grantTtlS: config.accessTokenTtlS,
    offlineTtlS: config.refreshMaxTtlS,
    ...dpopForShard(dpop, client),
  };
  const result = await callShard(c.env, config, userBucket, (shard) => shard.redeemDeviceGrant(redeem));
  if (!result.ok) {
    if (result.error === "invalid_grant") throw invalidGrant(DEVICE_CODE_REFUSED, result.detail);
    throw shardFailure(result, "code", "the device code redemption");
  }
  const redeemed = { user: result.user, scope: result.scope, authTime: polled.authTime, nonce: null, acr: polled.acr, amr: polled.amr, sid: null };
  const tokens = await issueTokens(c.env, config, { client, dpop, grantId: polled.grantId, redeemed });
  return result.refreshIssued && refresh ? { ...tokens, refresh_token: refresh } : tokens;
}
