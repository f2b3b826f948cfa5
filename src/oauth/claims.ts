import { base64url } from "jose";
import type { UserView } from "../actors/user-shard/api";
import { hasScope, type Scope } from "./scopes";

/** The user's claims for the granted scopes (OIDC Core §5.1, §5.4); absent values are left out. */
export function userClaims(user: UserView, scopes: Scope): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (hasScope(scopes, "profile")) {
    if (user.name !== null) claims.name = user.name;
    if (user.given_name !== null) claims.given_name = user.given_name;
    if (user.family_name !== null) claims.family_name = user.family_name;
    claims.updated_at = Math.floor(user.updated_at / 1000);
  }
  if (hasScope(scopes, "email")) {
    claims.email = user.email;
    claims.email_verified = user.email_verified;
  }
  return claims;
}

/**
 * at_hash (OIDC Core §3.1.3.6): base64url of the left half of the hash of the
 * access token's ASCII octets, with the hash of the ID token's alg (SHA-256 for
 * ES256 and RS256).
 */
export async function accessTokenHash(accessToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken)));
  return base64url.encode(digest.slice(0, digest.length / 2));
}
