import type { Context } from "hono";
import { bucketOfArtifact, grantOfRefreshToken, mintRefreshToken } from "../../oauth/artifacts";
import { formatScope, parseScope } from "../../oauth/scopes";
import { sha256 } from "../../oauth/secrets";
import { openSuccessor, sealSuccessor } from "../../oauth/successor";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidGrant, invalidRequest } from "../errors";
import { required, type Params } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { callShard } from "../shards/call";
import { REFRESH_REFUSED, shardFailure } from "../shard-errors";
import type { AppEnv } from "../types";
import { issueTokens } from "./issue";
import type { AcceptedProof } from "../dpop/proof";
import { dpopForShard } from "../dpop/token";

/**
 * grant_type=refresh_token (RFC 6749 §6): one shard call rotates the token. The
 * successor is minted here, so a grace-window retry can be answered with the very
 * same successor the first request received.
 */
export async function refreshTokenGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null = null): Promise<object> {
  const config = c.var.config;
  if (!client.grantTypes.has("refresh_token")) throw new OAuthError("unauthorized_client", 400, "this client may not use refresh_token");
  const presented = required(params, "refresh_token");
  const bucket = bucketOfArtifact("r", presented);
  const grantId = grantOfRefreshToken(presented);
  if (bucket === null || grantId === null) throw invalidGrant(REFRESH_REFUSED, "not a refresh token of this provider");
  const rawScope = params.get("scope");
  const scopes = rawScope === undefined ? null : parseScope(rawScope);
  if (scopes === null && rawScope !== undefined) throw invalidRequest("scope must be space-separated scope tokens");

  const successor = mintRefreshToken(bucket, grantId);
  // A grace window of 0 never hands a successor back: there is nothing to seal (an AES-GCM key derivation saved per refresh).
  const graceS = client.refreshGraceS ?? config.refreshGraceS;
  const input = {
    bucket,
    grantId,
    tokenHash: await sha256(presented),
    clientId: client.clientId,
    scope: scopes === null ? null : formatScope(scopes),
    successorHash: await sha256(successor),
    successorEnc: graceS > 0 ? await sealSuccessor(presented, successor) : null,
    graceS: client.refreshGraceS,
    ...dpopForShard(dpop, client),
  };
  // A rotation without tokens to show for it would make the client's retry a reuse, which revokes the family.
  await ensureSigningKeys(c.env, config);
  const result = await callShard(c.env, config, bucket, (shard) => shard.rotateRefresh(input));
  if (!result.ok) throw shardFailure(result, "refresh", "the refresh");
  let refreshToken = successor;
  if (result.outcome === "replayed") {
    const earlier = result.successorEnc === null ? null : await openSuccessor(presented, result.successorEnc);
    if (earlier === null) throw invalidGrant(REFRESH_REFUSED, "grace-window successor could not be opened");
    refreshToken = earlier;
  }
  const tokens = await issueTokens(c.env, config, {
    client,
    dpop,
    grantId: result.grantId,
    redeemed: { user: result.user, scope: result.scope, sid: result.sid, authTime: result.authTime, nonce: null, acr: result.acr, amr: result.amr, claims: result.claims },
  });
  return { ...tokens, refresh_token: refreshToken };
}
