import type { Context } from "hono";
import { decodeJwt } from "jose/jwt/decode";
import { JWT_BEARER } from "../../oauth/grant-types";
import { parseScope } from "../../oauth/scopes";
import { randomToken } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { keyResolver } from "../clients/client-keys";
import { AssertionRefused, algsOf, assertionKey, checkAssertion, spendAssertionOnce, spentUntil } from "../clients/jwt-assertion";
import type { RegisteredClient } from "../clients/registry";
import { getTrustedIssuer, type TrustedIssuer } from "../clients/trusted-issuers";
import { OAuthError, invalidGrant } from "../errors";
import { required, type Params } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { AppEnv } from "../types";
import { signAccessToken } from "./issue";

interface AssertionTokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
}

/** RFC 7523 §3.1: every problem with the assertion is invalid_grant, with what was wrong. */
const refused = (description: string, detail?: string) => invalidGrant(description, detail);

/** The issuer the assertion names, read before verification so its keys can be found (RFC 7523 §3 item 1). */
function assertedIssuer(assertion: string): string {
  try {
    const { iss } = decodeJwt(assertion);
    if (typeof iss === "string" && iss !== "") return iss;
  } catch {
    throw refused("the assertion is not a JWT (RFC 7523 §2.1)");
  }
  throw refused("the assertion has no iss (RFC 7523 §3 item 1)");
}

/**
 * The token's scopes: the requested ones, each allowed to both the issuer and the
 * client; without `scope`, every scope both allow (RFC 6749 §3.3 lets the server pick a
 * documented default). An empty result is refused.
 */
function grantedScope(issuer: TrustedIssuer, client: RegisteredClient, raw: string | undefined): string {
  const allowed = [...issuer.scopes].filter((s) => client.scopes.has(s));
  if (raw === undefined) {
    if (allowed.length === 0) throw new OAuthError("invalid_scope", 400, "the issuer and the client have no scope in common");
    return allowed.join(" ");
  }
  const requested = parseScope(raw);
  if (requested === null) throw new OAuthError("invalid_scope", 400, "scope must be space-separated scope tokens (RFC 6749 §3.3)");
  const notAllowed = requested.filter((s) => !allowed.includes(s));
  if (notAllowed.length > 0) throw new OAuthError("invalid_scope", 400, `scope not allowed for this issuer and client: ${notAllowed.join(" ").slice(0, 200)}`);
  return requested.join(" ");
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523 §2.1, RFC 7521 §4.1):
 * an assertion signed by an issuer the operator trusts, about one of our users (sub =
 * the user id) or about the client itself, traded for an access token. No ID token and
 * no refresh token: no one signed in here.
 *
 * A user subject costs one call to the user's shard, which checks the user, spends the
 * jti and writes the grant behind the token in one transaction (the replay row lives in
 * the user's bucket: the same assertion always names the same user). A client subject
 * costs one call to the bucket its jti hashes to. The issuer comes from the isolate's cache.
 */
export async function jwtBearerGrant(c: Context<AppEnv>, client: RegisteredClient, params: Params): Promise<AssertionTokenResponse> {
  const config = c.var.config;
  if (!client.grantTypes.has(JWT_BEARER)) throw new OAuthError("unauthorized_client", 400, `this client may not use ${JWT_BEARER}`);
  const assertion = required(params, "assertion");
  const issuerId = assertedIssuer(assertion);
  const issuer = await getTrustedIssuer(c.env, config, issuerId);
  if (!issuer) throw refused(`the assertion's issuer ${JSON.stringify(issuerId.slice(0, 100))} is not trusted`);
  let checked;
  try {
    checked = await checkAssertion(
      assertion,
      {
        keys: keyResolver(issuer),
        issuer: issuer.issuer,
        subject: issuer.subjectType === "client" ? client.clientId : null,
        audiences: [config.issuer, `${config.issuer}/token`, ...issuer.audiences],
        algs: algsOf(null),
        maxLifetimeS: issuer.maxLifetimeS,
        requireJti: true,
      },
      "assertion",
    );
  } catch (error) {
    if (error instanceof AssertionRefused) throw refused(error.message);
    throw error;
  }
  const { payload } = checked;
  if (typeof payload.sub !== "string" || payload.sub === "") throw refused("the assertion has no sub (RFC 7523 §3 item 2)");
  const scope = grantedScope(issuer, client, params.get("scope"));
  await ensureSigningKeys(c.env, config);
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: payload.sub, aud: config.issuer, clientId: client.clientId, scope, iat: now, exp: now + config.accessTokenTtlS };

  if (issuer.subjectType === "client") {
    try {
      await spendAssertionOnce(c.env, config, issuer.issuer, payload.jti!, payload.exp, "assertion");
    } catch (error) {
      if (error instanceof AssertionRefused) throw refused(error.message);
      throw error;
    }
    const accessToken = await signAccessToken(c.env, config, claims);
    return { access_token: accessToken, token_type: "Bearer", expires_in: config.accessTokenTtlS, scope };
  }

  const bucket = bucketOf(payload.sub);
  const grantId = randomToken(16);
  const input = {
    bucket,
    keyHash: await assertionKey(issuer.issuer, payload.jti!),
    expiresAt: spentUntil(payload.exp),
    userId: payload.sub,
    grantId,
    clientId: client.clientId,
    issuer: issuer.issuer,
    scope,
    grantTtlS: config.accessTokenTtlS,
  };
  const result = await callShard(c.env, config, bucket, (shard) => shard.issueAssertionGrant(input));
  if (!result.ok) {
    if (result.error === "invalid_grant") throw refused(result.detail ?? "the assertion was refused", result.detail);
    throw shardFailure(result, "change", "the JWT bearer grant");
  }
  const accessToken = await signAccessToken(c.env, config, claims, { gid: grantId });
  return { access_token: accessToken, token_type: "Bearer", expires_in: config.accessTokenTtlS, scope };
}
