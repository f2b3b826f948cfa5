import type { Context } from "hono";
import { bucketOfArtifact, grantOfRefreshToken, mintRefreshToken } from "../../oauth/artifacts";
import { formatScope, parseScope } from "../../oauth/scopes";
import { sha256 } from "../../oauth/secrets";
import { openSuccessor, sealSuccessor } from "../../oauth/successor";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidGrant, invalidRequest } from "../errors";
import { required, type Params } from "../http/params";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { issueTokens } from "./issue";

/**
 * grant_type=refresh_token (RFC 6749 §6): one shard call rotates the token. The
 * successor is minted here, so a grace-window retry can be answered with the very
 * same successor the first request received.
 */
export async function refreshTokenGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params): Promise<object> {
  const config = c.var.config;
  if (!client.grantTypes.has("refresh_token")) throw new OAuthError("unauthorized_client", 400, "this client may not use refresh_token");
  const presented = required(params, "refresh_token");
  const bucket = bucketOfArtifact("r", presented);
  const grantId = grantOfRefreshToken(presented);
  if (bucket === null || grantId === null) throw invalidGrant("unknown refresh token");
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
  };
  const result = await callShard(c.env, config, bucket, (shard) => shard.rotateRefresh(input));
  if (!result.ok) {
    if (result.error === "invalid_grant") throw invalidGrant(result.detail ?? "invalid refresh token");
    if (result.error === "invalid_scope") throw new OAuthError("invalid_scope", 400, result.detail ?? "scope exceeds the grant");
    throw new OAuthError("server_error", 500, "the refresh token could not be rotated", { detail: result.detail ?? result.error });
  }
  let refreshToken = successor;
  if (result.outcome === "replayed") {
    const earlier = result.successorEnc === null ? null : await openSuccessor(presented, result.successorEnc);
    if (earlier === null) throw invalidGrant("refresh token already used");
    refreshToken = earlier;
  }
  const tokens = await issueTokens(c.env, config, {
    client,
    grantId: result.grantId,
    redeemed: { user: result.user, scope: result.scope, sid: result.sid, authTime: result.authTime, nonce: null, acr: result.acr, amr: result.amr },
  });
  return { ...tokens, refresh_token: refreshToken };
}
