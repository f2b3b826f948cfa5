import type { Context } from "hono";
import type { JWTPayload } from "jose";
import { OAuthError } from "../errors";
import type { AppEnv } from "../types";
import { DPOP_ALGS_PARAM, offerNonce, proofRefused, readProof, type AcceptedProof } from "./proof";

/**
 * DPoP at a resource (RFC 9449 §7): a bound token comes with `Authorization: DPoP`
 * and a proof of its key that names it (`ath`); the same token as Bearer is refused
 * (§7.2), so a stolen bound token is useless without the private key.
 */

/** An access token as presented: its scheme (RFC 6750 §2.1 Bearer, RFC 9449 §7.1 DPoP) and the token. */
export interface PresentedAccess {
  scheme: "Bearer" | "DPoP";
  token: string;
}

/** `Bearer <token>` or `DPoP <token>` (token68), or null for anything else. */
export function parseAuthorization(header: string): PresentedAccess | null {
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) return null;
  return { scheme: match[1]!.toLowerCase() === "dpop" ? "DPoP" : "Bearer", token: match[2]! };
}

/** The key thumbprint a token is bound to (`cnf.jkt`, §6.1), or null for a Bearer token. */
export function boundKeyOf(payload: JWTPayload): string | null {
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  return typeof cnf === "object" && cnf !== null && typeof cnf.jkt === "string" ? cnf.jkt : null;
}

function dpopInvalidToken(description: string): OAuthError {
  return new OAuthError("invalid_token", 401, description, {
    headers: { "WWW-Authenticate": `DPoP error="invalid_token", error_description="${description}", ${DPOP_ALGS_PARAM}` },
  });
}

/**
 * The proof a resource request must carry for its token, checked against the token's
 * key, or null for an unbound Bearer token. `path` is the resource's own path (`htu`).
 * Replay is the caller's to refuse, in the shard call it makes anyway.
 */
export async function resourceProof(c: Context<AppEnv>, path: string, presented: PresentedAccess, payload: JWTPayload): Promise<AcceptedProof | null> {
  const jkt = boundKeyOf(payload);
  if (presented.scheme === "Bearer") {
    if (jkt !== null) throw dpopInvalidToken("this access token is DPoP-bound: present it with Authorization: DPoP and a DPoP proof");
    return null;
  }
  if (jkt === null) throw dpopInvalidToken("this access token is not DPoP-bound: present it as Bearer");
  const proof = await readProof(c, "resource", path, presented.token);
  if (proof === null) throw proofRefused("resource", "invalid_dpop_proof", "a DPoP proof is required with a DPoP-bound access token");
  if (proof.jkt !== jkt) throw proofRefused("resource", "invalid_dpop_proof", "the DPoP proof is signed by another key than the access token is bound to");
  await offerNonce(c, "resource");
  return proof;
}
