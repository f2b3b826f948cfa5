import type { Config } from "../../config";
import type { Env } from "../../env";
import { sealSecret } from "../../oauth/sealed-secret";
import { newUserId } from "../../shard/bucket";
import type { FederatedLink, FederatedProfile } from "../../actors/user-shard/api";
import { claimIdentity, linkedUserId, releaseIdentity, type UpstreamRow } from "../d1/upstreams";
import { reserveEmail, userIdByEmail } from "../d1/user-emails";
import { normalizeEmail } from "../users/email";
import type { UpstreamIdentity } from "./upstream-client";

/**
 * Which user an upstream identity signs in as. A linked identity: its user (one D1 read).
 * A first sign-in: a user whose address the upstream verified, when the provider's link
 * policy allows it (never for an unverified address), else a new account (just in time).
 * The D1 primary key on (provider, subject) decides between concurrent first sign-ins:
 * every racer gets the winner's user id, and each passes the same profile to the shard,
 * which creates the account once.
 */
export type Resolution = { userId: string; create: FederatedProfile } | { refused: string };

export async function resolveUser(env: Env, row: UpstreamRow, identity: UpstreamIdentity): Promise<Resolution> {
  const normalized = identity.email ? normalizeEmail(identity.email) : null;
  const profile: FederatedProfile = {
    email: normalized ?? "",
    emailVerified: normalized !== null && identity.emailVerified,
    name: identity.name ?? ([identity.givenName, identity.familyName].filter(Boolean).join(" ") || null),
    givenName: identity.givenName,
    familyName: identity.familyName,
  };
  const linked = await linkedUserId(env.DB, row.id, identity.subject);
  if (linked) return { userId: linked, create: profile };
  const owner = normalized ? await userIdByEmail(env.DB, normalized) : null;
  if (owner) {
    const why = `An account with the email ${normalized} already exists. Sign in to it another way, then link ${row.displayName} from your account page.`;
    if (!profile.emailVerified || row.linkPolicy !== "verified_email") return { refused: why };
    return { userId: await claimIdentity(env.DB, row.id, identity.subject, owner), create: profile };
  }
  const fresh = newUserId();
  const winner = await claimIdentity(env.DB, row.id, identity.subject, fresh);
  if (winner === fresh && profile.emailVerified && !(await reserveEmail(env.DB, profile.email, fresh))) {
    // Someone took the address between the read and now (a sign-up): this identity is not linked after all.
    await releaseIdentity(env.DB, row.id, identity.subject, fresh);
    return { refused: `An account with the email ${profile.email} already exists. Sign in to it another way, then link ${row.displayName} from your account page.` };
  }
  // An address the upstream did not verify is kept on the profile as unverified and never indexed.
  return { userId: winner, create: profile };
}

/** The link row for the shard: the upstream's tokens sealed (bound to the user) only when the operator keeps them. */
export async function linkOf(config: Config, row: UpstreamRow, identity: UpstreamIdentity, userId: string): Promise<FederatedLink> {
  const keep = row.storeTokens && config.federation.secretKey;
  return {
    provider: row.id,
    subject: identity.subject,
    email: identity.email,
    sealedTokens: keep ? await sealSecret(config.federation.secretKey!, userId, JSON.stringify(identity.tokens)) : null,
  };
}

/** RFC 8176 §2 "fed", plus the upstream's own values where the operator trusts them. */
export function amrOf(row: UpstreamRow, identity: UpstreamIdentity): string[] {
  return [...new Set(["fed", ...(row.trustAmr ? identity.amr : [])])];
}
