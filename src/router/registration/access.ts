import type { RegistrationMode } from "../../config";
import { sha256, timingSafeEqualStrings } from "../../oauth/secrets";
import type { ClientRow } from "../d1/clients";
import { findRegistrationToken } from "../d1/registration-tokens";
import { invalidToken } from "./errors";
import { OPEN_POLICY, type RegistrationPolicy } from "./policy";

/** RFC 6750 §2.1: `Bearer` then a b64token; the scheme is case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token of an Authorization header; null without one; invalid_token for another scheme or a malformed token. */
export function bearerToken(authorization: string | null): string | null {
  if (authorization === null || authorization.trim() === "") return null;
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined || token.length > 512) throw invalidToken("expected Authorization: Bearer <token> (RFC 6750 §2.1)", true);
  return token;
}

/** What a registration may ask for, and the initial access token it spends (null: open registration). */
export interface RegistrationGrant {
  policy: RegistrationPolicy;
  initialToken: { id: string; hash: string } | null;
}

/**
 * Who may register (RFC 7591 §3): with REGISTRATION=token, only the holder of a live
 * initial access token, within its policy; with REGISTRATION=open, anyone within the
 * open policy — or, if they present an initial access token, within that token's
 * (an operator can hand out more than the open policy allows). The token's use is
 * taken later, with the client's INSERT; this only refuses what cannot succeed.
 */
export async function registrationGrant(d1: D1Database, mode: Exclude<RegistrationMode, "off">, authorization: string | null, now: number): Promise<RegistrationGrant> {
  const token = bearerToken(authorization);
  if (token === null) {
    if (mode === "open") return { policy: OPEN_POLICY, initialToken: null };
    throw invalidToken("registration needs an initial access token: Authorization: Bearer <token> (RFC 7591 §3)", false);
  }
  const hash = await sha256(token);
  const row = await findRegistrationToken(d1, hash);
  if (row === null) throw invalidToken("the initial access token is not valid", true);
  if (row.expiresAt <= now) throw invalidToken("the initial access token has expired", true);
  if (row.used >= row.maxUses) throw invalidToken("the initial access token has no registrations left", true);
  return {
    policy: { grant_types: row.grantTypes, scope: row.scope, token_endpoint_auth_methods: row.tokenEndpointAuthMethods },
    initialToken: { id: row.id, hash },
  };
}

/** One answer for a wrong token, another client's token and a client that does not exist (RFC 7592 §2.1). */
export const NOT_THIS_CLIENTS = "the registration access token is not valid for this client";
/** Compared against when there is no stored hash, so that a missing client costs the same work. */
const NO_HASH = "-".repeat(43);

/**
 * The registration access token check of the client configuration endpoint (RFC 7592
 * §3): the presented token's SHA-256 against the stored one, in constant time. A client
 * the operator registered has no token and is refused like a stranger's. Returns the
 * token and its hash, which the update or delete then requires in its own statement.
 */
export async function checkRegistrationAccess(row: ClientRow | null, authorization: string | null): Promise<{ token: string; hash: string }> {
  const token = bearerToken(authorization);
  if (token === null) throw invalidToken("the client configuration endpoint needs the registration access token: Authorization: Bearer <token>", false);
  const hash = await sha256(token);
  const stored = row?.registrationTokenHash ?? null;
  const equal = await timingSafeEqualStrings(hash, stored ?? NO_HASH);
  if (!equal || stored === null) throw invalidToken(NOT_THIS_CLIENTS, true);
  return { token, hash };
}
