import type { Config } from "../../config";
import { openUserRef, pairwiseSubject, sealUserRef } from "../../oauth/pairwise";
import { OAuthError } from "../errors";
import type { RegisteredClient } from "./registry";

type SubjectClient = Pick<RegisteredClient, "clientId" | "subjectType" | "sectorIdentifier">;

/**
 * A pairwise client registered while PAIRWISE_SALT was set, served after it was
 * removed: an operator's mistake, not the client's, and no `sub` may be made up.
 */
function saltOf(config: Config, client: SubjectClient): string {
  if (config.pairwiseSalt === null) {
    throw new OAuthError("server_error", 500, "pairwise subject identifiers are not configured on this provider", {
      detail: `client ${client.clientId} is pairwise but PAIRWISE_SALT is unset`,
    });
  }
  return config.pairwiseSalt;
}

/**
 * The `sub` a client sees for a user (OIDC Core §8): the local user id for public
 * clients, the sector's pairwise identifier for pairwise ones. Every output a client
 * reads — ID token, /userinfo, introspection, logout token — goes through here.
 */
export async function subjectFor(config: Config, client: SubjectClient, userId: string): Promise<string> {
  if (client.subjectType !== "pairwise" || client.sectorIdentifier === null) return userId;
  return pairwiseSubject(saltOf(config, client), client.sectorIdentifier, userId);
}

/** The private ID-token claim that lets an id_token_hint of a pairwise client find its user again. */
export const USER_REF_CLAIM = "uref";

/** For a pairwise client's ID token: the user id sealed (see oauth/pairwise.ts); nothing for a public client. */
export async function userRefClaim(config: Config, client: SubjectClient, userId: string): Promise<Record<string, string>> {
  if (client.subjectType !== "pairwise") return {};
  return { [USER_REF_CLAIM]: await sealUserRef(saltOf(config, client), userId) };
}

/** The user id sealed in an ID token of ours, or null if it is not one we sealed. */
export async function openUserRefClaim(config: Config, value: unknown): Promise<string | null> {
  if (typeof value !== "string" || config.pairwiseSalt === null) return null;
  return openUserRef(config.pairwiseSalt, value);
}

/** Why a client cannot be made pairwise on this provider now (no key to derive its subs), or null. */
export function pairwiseUnavailable(config: Config, subjectType: string): string | null {
  if (subjectType !== "pairwise" || config.pairwiseSalt !== null) return null;
  return "pairwise subject identifiers are off on this provider (PAIRWISE_SALT is not set); register with subject_type public";
}
