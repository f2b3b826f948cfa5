import * as base64url from "jose/base64url";
import type { UserView } from "../actors/user-shard/api";
import { CLAIMS_BY_SCOPE, hasScope, type Scope } from "./scopes";

/** The value of one user claim, or undefined when the user has none (OIDC Core §5.1). */
function claimOf(user: UserView, name: string): unknown {
  switch (name) {
    case "name":
    case "given_name":
    case "family_name":
      return user[name] ?? undefined;
    case "updated_at":
      return Math.floor(user.updated_at / 1000);
    case "email":
      return user.email;
    case "email_verified":
      return user.email_verified;
    default:
      return undefined;
  }
}

/**
 * The user's claims for the granted scopes (OIDC Core §5.1, §5.4) plus any asked
 * for one by one with the claims parameter (§5.5); absent values are left out.
 */
export function userClaims(user: UserView, scopes: Scope, requested: readonly string[] = []): Record<string, unknown> {
  const names = [...Object.entries(CLAIMS_BY_SCOPE).flatMap(([scope, claims]) => (hasScope(scopes, scope) ? claims : [])), ...requested];
  const claims: Record<string, unknown> = { sub: user.id };
  for (const name of names) {
    const value = claimOf(user, name);
    if (value !== undefined) claims[name] = value;
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
