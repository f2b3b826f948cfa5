import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { browserCors } from "../http/cors";
import { userClaims } from "../../oauth/claims";
import { hasScope, storedScope } from "../../oauth/scopes";
import { OAuthError } from "../errors";
import { verifyJwt } from "../keys/cache";
import { ACCESS_TOKEN_TYP } from "../tokens/issue";
import { parseAccessClaims, userTokenLive } from "../tokens/presented-token";
import type { AppEnv } from "../types";
import { noStore } from "../no-store";
import { getClient } from "../clients/registry";
import { userinfoResponse } from "../tokens/userinfo-response";

const REALM = 'Bearer realm="authshard"';

/** RFC 6750 §3: a request without a token gets the bare challenge; a bad token names the error. */
function invalidToken(description: string): OAuthError {
  return new OAuthError("invalid_token", 401, description, {
    headers: { "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="${description.replace(/["\\]/g, "")}"` },
  });
}

function bearerToken(c: Context): string {
  const header = c.req.header("Authorization");
  if (header === undefined) {
    throw new OAuthError("invalid_request", 401, "an access token is required (Authorization: Bearer)", { headers: { "WWW-Authenticate": REALM } });
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) {
    throw new OAuthError("invalid_request", 400, "the Authorization header must be Bearer <token>", {
      headers: { "WWW-Authenticate": `${REALM}, error="invalid_request"` },
    });
  }
  return match[1]!;
}

/**
 * UserInfo (OIDC Core §5.3): the JWT is verified locally, then one shard call
 * checks that the token (by jti, RFC 7009) and the grant behind it are still
 * live and reads the current claims.
 */
async function userinfo(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const token = bearerToken(c);
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
  // The client's registration (for a signed or encrypted response, OIDC Core §5.3.2) comes
  // from the isolate's registry cache, read alongside the one shard call.
  const [result, client] = await Promise.all([userTokenLive(c.env, config, { sub, gid, jti }), getClient(c.env, config, clientId)]);
  if (!result.ok) throw invalidToken("the access token has been revoked");
  return userinfoResponse(c, config, client, userClaims(result.user, scopes));
}

export const userinfoEndpoint = new Hono<AppEnv>()
  .use("/userinfo", browserCors(["GET", "POST"]))
  .use("/userinfo", noStore())
  .get("/userinfo", userinfo)
  .post("/userinfo", userinfo);
