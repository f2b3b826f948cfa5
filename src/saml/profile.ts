import type { UserView } from "../actors/user-shard/api";
import { ACR_MFA } from "../oauth/acr";
import { pairwiseSubject } from "../oauth/pairwise";
import { SamlInputError } from "./xml";
import type { NameIdFormat } from "./sp-metadata";

/**
 * AuthnContextClassRef (SAML Authn Context §3.4) from how the session signed in:
 * a password over TLS is PasswordProtectedTransport (§3.4.13); a password and a second
 * factor (amr mfa, or our MFA acr) is the REFEDS MFA profile's class, which SPs that ask
 * for MFA commonly expect (https://refeds.org/profile/mfa).
 */
export const AUTHN_CONTEXT = {
  password: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
  mfa: "https://refeds.org/profile/mfa",
} as const;

export function authnContextClassRef(session: { acr: string; amr: readonly string[] }): string {
  return session.amr.includes("mfa") || session.acr === ACR_MFA ? AUTHN_CONTEXT.mfa : AUTHN_CONTEXT.password;
}

/** The attributes an SP receives, by our name; `extra` carries attributes other features add (roles, groups). */
export function samlAttributes(user: UserView, extra: Record<string, readonly string[]> = {}): Record<string, readonly string[]> {
  const base: Record<string, readonly string[]> = { email: [user.email] };
  if (user.name) base.name = [user.name];
  if (user.given_name) base.given_name = [user.given_name];
  if (user.family_name) base.family_name = [user.family_name];
  return { ...base, ...extra };
}

/** Renames attributes as the SP asked (its attribute map); those it did not map keep our names. */
export function mappedAttributes(attributes: Record<string, readonly string[]>, map: Record<string, string>): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const [name, values] of Object.entries(attributes)) out[map[name] ?? name] = values;
  return out;
}

/**
 * The NameID value (SAML Core §8.3): the email address; a persistent identifier that is
 * stable per SP and user and different for every SP (the pairwise-subject HMAC, with
 * "saml:" + entityID as the sector, so no SP's value equals an OIDC client's `sub`);
 * or, unspecified, the user id.
 */
export async function nameIdValue(format: NameIdFormat, user: UserView, entityId: string, pairwiseSalt: string | null): Promise<string> {
  if (format === "email") return user.email;
  if (format === "unspecified") return user.id;
  if (!pairwiseSalt) throw new SamlInputError("persistent NameIDs need PAIRWISE_SALT to be set");
  return persistentNameId(pairwiseSalt, entityId, user.id);
}

/** The persistent NameID of a user at one SP: derived again for a LogoutRequest, as it never changes. */
export function persistentNameId(pairwiseSalt: string, entityId: string, userId: string): Promise<string> {
  return pairwiseSubject(pairwiseSalt, `saml:${entityId}`, userId);
}
