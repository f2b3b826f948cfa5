import { decodeJwt } from "jose/jwt/decode";
import type { JWTVerifyGetKey } from "jose";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { keyResolver } from "./client-keys";
import { AssertionRefused, algsOf, checkAssertion, MAX_ASSERTION_LIFETIME_S, spendAssertionOnce } from "./jwt-assertion";
import { clientSecretKey } from "./sealed-secrets";
import type { RegisteredClient } from "./registry";

/** client_secret_jwt signs with HMAC SHA-256 (OIDC Core §9); the secret is at least 32 bytes when generated here. */
export const CLIENT_SECRET_JWT_ALGS = ["HS256"] as const;

/** RFC 7523 §2.2: the one client assertion type this provider accepts. */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * The client an assertion claims to come from, read before it is verified (RFC 7523
 * §3 item 1-2: iss and sub are both the client_id), so that its keys can be found;
 * null when the assertion is not a JWT or names no client.
 */
export function assertedClientId(assertion: string): string | null {
  try {
    const { iss, sub } = decodeJwt(assertion);
    return typeof iss === "string" && iss !== "" && iss === sub ? iss : null;
  } catch {
    return null;
  }
}

/**
 * The audiences a client assertion may name: our issuer (RFC 7523 §3 item 3; RFC 9126
 * §2 and FAPI 2.0 prefer it), the token endpoint (OIDC Core §9) or the endpoint that
 * receives it (/revoke, /introspect, /device_authorization, ...).
 */
export function clientAssertionAudiences(config: Config, endpointUrl: string): string[] {
  return [...new Set([config.issuer, `${config.issuer}/token`, endpointUrl])];
}

/** The key a client's assertions are checked with: its public keys, or (client_secret_jwt) its secret. */
async function verificationKey(env: Env, config: Config, client: RegisteredClient): Promise<{ keys: JWTVerifyGetKey | Uint8Array; algs: readonly string[] }> {
  if (client.tokenEndpointAuthMethod === "private_key_jwt") return { keys: keyResolver(client), algs: algsOf(client.tokenEndpointAuthSigningAlg) };
  const secret = await clientSecretKey(env, config, client);
  if (secret === null) throw new AssertionRefused("no sealed secret matches the client's current secret (rotate it)", true);
  return { keys: secret, algs: CLIENT_SECRET_JWT_ALGS };
}

/**
 * private_key_jwt and client_secret_jwt (RFC 7523 §2.2 and §3, OIDC Core §9): the
 * assertion is signed by one of the client's registered keys (or, client_secret_jwt,
 * with HMAC keyed by its secret) with an allowed algorithm, names the client as iss
 * and sub and us as aud, expires within five minutes, and its jti has not been used.
 * Throws AssertionRefused.
 */
export async function verifyClientAssertion(env: Env, config: Config, client: RegisteredClient, assertion: string, endpointUrl: string): Promise<void> {
  const { keys, algs } = await verificationKey(env, config, client);
  const { payload } = await checkAssertion(
    assertion,
    {
      keys,
      issuer: client.clientId,
      subject: client.clientId,
      audiences: clientAssertionAudiences(config, endpointUrl),
      algs,
      maxLifetimeS: MAX_ASSERTION_LIFETIME_S,
      requireJti: true,
    },
    "client assertion",
  );
  await spendAssertionOnce(env, config, `client:${client.clientId}`, payload.jti!, payload.exp, "client assertion");
}
