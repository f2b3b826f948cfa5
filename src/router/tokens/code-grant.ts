import type { Context } from "hono";
import { bucketOfArtifact, mintRefreshToken, newId } from "../../oauth/artifacts";
import { isCodeVerifier } from "../../oauth/pkce";
import { sha256 } from "../../oauth/secrets";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidGrant, invalidRequest } from "../errors";
import { required, type Params } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { callShard } from "../shards/call";
import { CODE_REFUSED, shardFailure } from "../shard-errors";
import type { AppEnv } from "../types";
import { issueTokens } from "./issue";
import type { AcceptedProof } from "../dpop/proof";
import { dpopForShard } from "../dpop/token";

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5): one shard call
 * redeems the code in one transaction; the router only signs what it returns.
 */
export async function authorizationCodeGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null = null) {
  const config = c.var.config;
  if (!client.grantTypes.has("authorization_code")) throw new OAuthError("unauthorized_client", 400, "this client may not use authorization_code");
  const code = required(params, "code");
  const redirectUri = required(params, "redirect_uri");
  const verifier = params.get("code_verifier");
  if (verifier !== undefined && !isCodeVerifier(verifier)) {
    throw invalidRequest("code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)");
  }
  const bucket = bucketOfArtifact("c", code);
  if (bucket === null) throw invalidGrant(CODE_REFUSED, "not a code of this provider");
  const grantId = newId();
  const refresh = client.grantTypes.has("refresh_token") ? mintRefreshToken(bucket, grantId) : null;
  const input = {
    bucket,
    codeHash: await sha256(code),
    clientId: client.clientId,
    redirectUri,
    // RFC 7636 §4.2: the S256 challenge is BASE64URL(SHA256(ASCII(code_verifier))), which is what sha256 computes.
    verifierChallenge: verifier === undefined ? null : await sha256(verifier),
    grantId,
    refreshTokenHash: refresh === null ? null : await sha256(refresh),
    refreshAllowed: refresh !== null,
    grantTtlS: config.accessTokenTtlS,
    offlineTtlS: config.refreshMaxTtlS,
    ...dpopForShard(dpop, client),
  };
  // A code spent without tokens to show for it could only be replayed (RFC 6749 §4.1.2): sign-ready first.
  await ensureSigningKeys(c.env, config);
  const result = await callShard(c.env, config, bucket, (shard) => shard.redeemCode(input));
  if (!result.ok) throw shardFailure(result, "code", "the code redemption");
  const tokens = await issueTokens(c.env, config, { client, dpop, grantId, redeemed: result });
  return result.refreshIssued && refresh ? { ...tokens, refresh_token: refresh } : tokens;
}
