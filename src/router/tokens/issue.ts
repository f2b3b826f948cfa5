import type { JWTPayload } from "jose";
import type { Env } from "../../env";
import { accessTokenHash, userClaims } from "../../oauth/claims";
import { readStoredClaims } from "../../oauth/claims-request";
import { randomToken } from "../../oauth/secrets";
import { hasScope, storedScope } from "../../oauth/scopes";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { signJwt } from "../keys/cache";
import { subjectFor, userRefClaim } from "../clients/subject";
import type { Redeemed } from "../../actors/user-shard/api";
import type { AcceptedProof } from "../dpop/proof";
import { boundClaims, tokenTypeOf } from "../dpop/token";
import { sealIdToken } from "./seal";
import { accessClaimsFor, type AccessClaimSet } from "../access/claims";

/** The media type of RFC 9068 access tokens (§2.1); `at+jwt` is its short form. */
export const ACCESS_TOKEN_TYP = "at+jwt";

interface TokenContext {
  client: RegisteredClient;
  /** DPoP (RFC 9449 §5): the request's proof binds the access token to its key. */
  dpop?: AcceptedProof | null;
  grantId: string;
  redeemed: Pick<Redeemed, "user" | "scope" | "authTime" | "nonce" | "acr" | "amr"> & { sid: string | null; claims?: string | null };
  /** Claims a grant adds to the ID token (CIBA push: the auth_req_id and rt_hash, CIBA Core §10.3.1). */
  idTokenClaims?: Record<string, unknown>;
  /** roles/groups/permissions as the client is configured (set by issueTokens). */
  accessClaims?: AccessClaimSet;
}

interface IssuedTokens {
  access_token: string;
  token_type: "Bearer" | "DPoP";
  expires_in: number;
  scope: string;
  id_token?: string;
}

/** The claims every access token carries that differ from one token to the next. */
interface AccessTokenClaims {
  sub: string;
  aud: string | string[];
  clientId: string;
  scope: string;
  iat: number;
  exp: number;
}

/**
 * Signs an RFC 9068 access token (§2.2): issuer, subject, audience, client, scope,
 * times and a fresh `jti`, then whatever the grant adds (`extra`) — the one place
 * every grant's access tokens are made, so they cannot drift apart.
 */
export async function signAccessToken(env: Env, config: Config, claims: AccessTokenClaims, extra: JWTPayload = {}): Promise<string> {
  return signJwt(
    env,
    config,
    "ES256",
    {
      iss: config.issuer,
      sub: claims.sub,
      aud: claims.aud,
      client_id: claims.clientId,
      scope: claims.scope,
      iat: claims.iat,
      exp: claims.exp,
      jti: randomToken(16),
      ...extra,
    },
    { typ: ACCESS_TOKEN_TYP },
  );
}

/**
 * The access token of a user's grant: the grant id (`gid`) lets /userinfo,
 * /introspect and revocation find the grant in the user's shard; `sid` ties it to
 * the session.
 */
async function accessToken(env: Env, config: Config, ctx: TokenContext, now: number): Promise<string> {
  return signAccessToken(
    env,
    config,
    { sub: ctx.redeemed.user.id, aud: config.issuer, clientId: ctx.client.clientId, scope: ctx.redeemed.scope, iat: now, exp: now + config.accessTokenTtlS },
    {
      auth_time: ctx.redeemed.authTime,
      acr: ctx.redeemed.acr,
      ...(ctx.redeemed.sid ? { sid: ctx.redeemed.sid } : {}),
      gid: ctx.grantId,
      ...boundClaims(ctx.dpop ?? null),
      ...ctx.accessClaims?.accessToken,
    },
  );
}

/**
 * The user claims asked for in the claims parameter's id_token member (OIDC Core
 * §5.5): given whether or not a scope would have released them — consent covered
 * them at /authorize. Scope-released claims stay at /userinfo (§5.4).
 */
function idTokenUserClaims(ctx: TokenContext): Record<string, unknown> {
  const requested = readStoredClaims(ctx.redeemed.claims)?.id_token ?? [];
  if (requested.length === 0) return {};
  const { sub: _sub, ...claims } = userClaims(ctx.redeemed.user, storedScope(""), requested);
  return claims;
}

/** ID token (OIDC Core §2, §3.1.3.6), signed with the client's registered algorithm. */
async function idToken(env: Env, config: Config, ctx: TokenContext, access: string, now: number): Promise<string> {
  return signJwt(
    env,
    config,
    ctx.client.idTokenSignedResponseAlg,
    {
      iss: config.issuer,
      // OIDC Core §8: the user id, or this client's pairwise identifier; uref lets its id_token_hint find the user.
      sub: await subjectFor(config, ctx.client, ctx.redeemed.user.id),
      ...(await userRefClaim(config, ctx.client, ctx.redeemed.user.id)),
      aud: ctx.client.clientId,
      azp: ctx.client.clientId,
      iat: now,
      exp: now + config.idTokenTtlS,
      auth_time: ctx.redeemed.authTime,
      ...(ctx.redeemed.nonce !== null ? { nonce: ctx.redeemed.nonce } : {}),
      at_hash: await accessTokenHash(access),
      ...(ctx.redeemed.sid ? { sid: ctx.redeemed.sid } : {}),
      acr: ctx.redeemed.acr,
      amr: ctx.redeemed.amr,
      ...idTokenUserClaims(ctx),
      ...ctx.accessClaims?.idToken,
      ...ctx.idTokenClaims,
    },
    { typ: "JWT" },
  );
}

/**
 * Access token always; ID token whenever the grant has `openid` — on refresh too.
 * OIDC Core §12.2 allows leaving it out of a refresh response, and it costs a second
 * ES256 signature (about 4-5 % of a refresh's CPU samples), but clients of Keycloak,
 * Hydra and node-oidc-provider get one on refresh and read their session from it.
 */
export async function issueTokens(env: Env, config: Config, ctx: TokenContext): Promise<IssuedTokens> {
  const now = Math.floor(Date.now() / 1000);
  ctx = { ...ctx, accessClaims: await accessClaimsFor(env, config, ctx.client.clientId, ctx.redeemed.user, ctx.redeemed.scope) };
  const access = await accessToken(env, config, ctx, now);
  const tokens: IssuedTokens = { access_token: access, token_type: tokenTypeOf(ctx.dpop ?? null), expires_in: config.accessTokenTtlS, scope: ctx.redeemed.scope };
  // Encrypted after signing for a client that registered id_token_encrypted_response_alg (OIDC Core §10.2).
  if (hasScope(storedScope(ctx.redeemed.scope), "openid")) tokens.id_token = await sealIdToken(env, ctx.client, await idToken(env, config, ctx, access, now));
  return tokens;
}
