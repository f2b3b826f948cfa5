import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { browserCors } from "../http/cors";
import { userClaims } from "../../oauth/claims";
import { readStoredClaims } from "../../oauth/claims-request";
import { hasScope, storedScope } from "../../oauth/scopes";
import { OAuthError } from "../errors";
import { verifyJwt } from "../keys/cache";
import { ACCESS_TOKEN_TYP } from "../tokens/issue";
import { parseAccessClaims, userTokenLive } from "../tokens/presented-token";
import type { AppEnv } from "../types";
import { getClient } from "../clients/registry";
import { subjectFor } from "../clients/subject";
import { noStore } from "../no-store";
import { proofRefused } from "../dpop/proof";
import { parseAuthorization, resourceProof, type PresentedAccess } from "../dpop/resource";
import { DPOP_PROOF_REPLAYED } from "../shard-errors";
import { userinfoResponse } from "../tokens/userinfo-response";
import { accessClaimsFor } from "../access/claims";

const REALM = 'Bearer realm="authshard"';

/** RFC 6750 §3: a request without a token gets the bare challenge; a bad token names the error. */
function invalidToken(description: string): OAuthError {
  return new OAuthError("invalid_token", 401, description, {
    headers: { "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="${description.replace(/["\\]/g, "")}"` },
  });
}

/** The token and its scheme: Bearer (RFC 6750 §2.1) or DPoP (RFC 9449 §7.1). */
function presentedToken(c: Context): PresentedAccess {
  const header = c.req.header("Authorization");
  if (header === undefined) {
    throw new OAuthError("invalid_request", 401, "an access token is required (Authorization: Bearer)", { headers: { "WWW-Authenticate": REALM } });
  }
  const presented = parseAuthorization(header);
  if (!presented) {
    throw new OAuthError("invalid_request", 400, "the Authorization header must be Bearer <token> or DPoP <token>", {
      headers: { "WWW-Authenticate": `${REALM}, error="invalid_request"` },
    });
  }
  return presented;
}

/**
 * UserInfo (OIDC Core §5.3): the JWT is verified locally, then one shard call
 * checks that the token (by jti, RFC 7009) and the grant behind it are still
 * live and reads the current claims.
 */
async function userinfo(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const presented = presentedToken(c);
  const token = presented.token;
  const verified = await verifyJwt(c.env, config, token, { typ: ACCESS_TOKEN_TYP, audience: config.issuer });
  if (!verified.ok) throw invalidToken("the access token is invalid or expired");
  const parsed = parseAccessClaims(verified.payload);
  if (!parsed.ok || parsed.claims.gid === undefined) throw invalidToken("the access token is not one for this endpoint");
  const { sub, gid, jti, scope, clientId } = parsed.claims;
  const scopes = storedScope(scope);
  if (!hasScope(scopes, "openid")) {
    throw new OAuthError("insufficient_scope", 403, "the openid scope is required", {
      headers: { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="openid"` },
    });
  }
  // RFC 9449 §7: a bound token needs a proof of its key; the proof's replay is refused in the same shard call.
  const proof = await resourceProof(c, "/userinfo", presented, verified.payload);
  // The client's registration — its subject type (OIDC Core §8.1) and response format (§5.3.2) — comes
  // from the isolate's registry cache (no D1 read when warm), read alongside the one shard call.
  const [result, client] = await Promise.all([userTokenLive(c.env, config, { sub, gid, jti }, proof?.record ?? null), getClient(c.env, config, clientId)]);
  if (!result.ok && result.error === "invalid_dpop_proof") throw proofRefused("resource", "invalid_dpop_proof", DPOP_PROOF_REPLAYED);
  if (!result.ok) throw invalidToken("the access token has been revoked");
  // A deleted client's tokens: its subject type is unknown, and no sub may be guessed (a pairwise client must never see the user id).
  if (!client) throw invalidToken("the client this access token was issued to is no longer registered");
  // OIDC Core §5.5: claims asked for by name in the userinfo member join those of the scopes.
  const claims = userClaims(result.user, scopes, readStoredClaims(result.claims)?.userinfo ?? []);
  Object.assign(claims, (await accessClaimsFor(c.env, config, client.clientId, result.user, scope)).userinfo);
  claims.sub = await subjectFor(config, client, result.user.id);
  return userinfoResponse(c, config, client, claims);
}

export const userinfoEndpoint = new Hono<AppEnv>()
  .use("/userinfo", browserCors(["GET", "POST"]))
  .use("/userinfo", noStore())
  .get("/userinfo", userinfo)
  .post("/userinfo", userinfo);
