import type { Context } from "hono";
import { parseScope, SCOPES_SUPPORTED } from "../../oauth/scopes";
import type { RegisteredClient } from "../clients/registry";
import { OAuthError } from "../errors";
import type { Params } from "../http/params";
import type { AppEnv } from "../types";
import { signAccessToken } from "./issue";
import type { AcceptedProof } from "../dpop/proof";
import { spendProofOnce } from "../dpop/replay";
import { boundClaims, tokenTypeOf } from "../dpop/token";

/**
 * Scopes that speak about a signed-in person (OIDC Core §5.4, §11): every scope
 * this provider defines (openid, profile, email, offline_access). A client token
 * has no person behind it, so asking for one of these is a mistake, not a no-op.
 */
const USER_SCOPES: ReadonlySet<string> = new Set(SCOPES_SUPPORTED);

const invalidScope = (description: string) => new OAuthError("invalid_scope", 400, description);

interface ClientTokenResponse {
  access_token: string;
  token_type: "Bearer" | "DPoP";
  expires_in: number;
  scope: string;
}

/**
 * The scopes of a client token: the requested ones, each allowed to the client and
 * none about a user; without `scope`, every non-user scope the client is allowed
 * (RFC 6749 §3.3 lets the server pick a documented default). An empty result is
 * refused rather than answered with a token that grants nothing.
 */
function clientScopes(client: RegisteredClient, raw: string | undefined): readonly string[] {
  if (raw === undefined) {
    const defaults = [...client.scopes].filter((s) => !USER_SCOPES.has(s));
    if (defaults.length === 0) throw invalidScope("this client has no scopes that a client token can carry; register some besides openid, profile, email, offline_access");
    return defaults;
  }
  const requested = parseScope(raw);
  if (requested === null) throw invalidScope("scope must be space-separated scope tokens (RFC 6749 §3.3)");
  const aboutUser = requested.filter((s) => USER_SCOPES.has(s));
  if (aboutUser.length > 0) throw invalidScope(`${aboutUser.join(" ")} need a signed-in user; client_credentials has none`);
  const notAllowed = requested.filter((s) => !client.scopes.has(s));
  if (notAllowed.length > 0) throw invalidScope(`scope not allowed for this client: ${notAllowed.join(" ").slice(0, 200)}`);
  return requested;
}

/**
 * grant_type=client_credentials (RFC 6749 §4.4): a token for the client itself.
 * Only a confidential client may ask (§4.4: it MUST authenticate; a public client
 * cannot), and nothing about a user goes in: sub is the client id (RFC 9068 §2.2),
 * and there is no sid, gid, auth_time, refresh token (§4.4.3) or ID token.
 * No user's shard is involved — the client came from the isolate's cache — so the
 * only cost is the signature, and with a DPoP proof one call to spend its jti.
 */
export async function clientCredentialsGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params, dpop: AcceptedProof | null): Promise<ClientTokenResponse> {
  const config = c.var.config;
  if (client.clientType !== "confidential" || !client.grantTypes.has("client_credentials")) {
    throw new OAuthError("unauthorized_client", 400, "this client may not use client_credentials");
  }
  const scope = clientScopes(client, params.get("scope")).join(" ");
  await spendProofOnce(c, "token", dpop);
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signAccessToken(c.env, config, {
    sub: client.clientId,
    aud: config.issuer,
    clientId: client.clientId,
    scope,
    iat: now,
    exp: now + config.accessTokenTtlS,
  }, boundClaims(dpop));
  return { access_token: accessToken, token_type: tokenTypeOf(dpop), expires_in: config.accessTokenTtlS, scope };
}
