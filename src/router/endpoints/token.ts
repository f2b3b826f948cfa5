import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { bucketOfArtifact, mintRefreshToken, newId } from "../../oauth/artifacts";
import { authenticateClient } from "../../oauth/client-auth";
import { isCodeVerifier, s256 } from "../../oauth/pkce";
import { sha256 } from "../../oauth/secrets";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError, invalidRequest } from "../errors";
import { formParams, type Params } from "../http/params";
import { callShard } from "../shards/call";
import { issueTokens } from "../tokens/issue";
import type { AppEnv } from "../types";

const invalidGrant = (description: string) => new OAuthError("invalid_grant", 400, description);

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw invalidRequest(`${name} is missing`);
  return value;
}

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5): one shard call
 * redeems the code in one transaction; the router only signs what it returns.
 */
async function authorizationCode(c: Context<AppEnv>, client: RegisteredClient, params: Params) {
  const config = c.var.config;
  if (!client.grantTypes.has("authorization_code")) throw new OAuthError("unauthorized_client", 400, "this client may not use authorization_code");
  const code = required(params, "code");
  const redirectUri = required(params, "redirect_uri");
  const verifier = params.get("code_verifier");
  if (verifier !== undefined && !isCodeVerifier(verifier)) {
    throw invalidRequest("code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)");
  }
  const bucket = bucketOfArtifact("c", code);
  if (bucket === null) throw invalidGrant("unknown authorization code");
  const grantId = newId();
  const refresh = client.grantTypes.has("refresh_token") ? mintRefreshToken(bucket, grantId) : null;
  const input = {
    bucket,
    codeHash: await sha256(code),
    clientId: client.clientId,
    redirectUri,
    verifierChallenge: verifier === undefined ? null : await s256(verifier),
    grantId,
    refreshTokenHash: refresh === null ? null : await sha256(refresh),
    refreshAllowed: refresh !== null,
    grantTtlS: config.accessTokenTtlS,
    offlineTtlS: config.refreshMaxTtlS,
  };
  const result = await callShard(c.env, config, bucket, (shard) => shard.redeemCode(input));
  if (!result.ok) {
    if (result.error === "invalid_grant") throw invalidGrant(result.detail ?? "invalid authorization code");
    throw new OAuthError("server_error", 500, "the code could not be redeemed", { detail: result.detail ?? result.error });
  }
  const tokens = await issueTokens(c.env, config, { client, grantId, redeemed: result });
  return result.refreshIssued && refresh ? { ...tokens, refresh_token: refresh } : tokens;
}

/** The token endpoint (RFC 6749 §3.2): form body, client authentication, no-store responses. */
async function token(c: Context<AppEnv>): Promise<Response> {
  const params = await formParams(c);
  const grantType = params.get("grant_type");
  if (grantType === undefined) throw invalidRequest("grant_type is missing");
  const client = await authenticateClient(c.env, c.var.config, {
    authorization: c.req.header("Authorization") ?? null,
    clientId: params.get("client_id"),
    clientSecret: params.get("client_secret"),
  });
  let body: object;
  switch (grantType) {
    case "authorization_code":
      body = await authorizationCode(c, client, params);
      break;
    default:
      throw new OAuthError("unsupported_grant_type", 400, `grant_type ${grantType.slice(0, 64)} is not supported`);
  }
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
  return c.json(body);
}

export const tokenEndpoint = new Hono<AppEnv>()
  // Browser apps (public clients with PKCE) call /token from their own origin; no cookies are involved.
  .use("/token", cors({ origin: "*", allowMethods: ["POST"], allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }))
  .post("/token", token);
