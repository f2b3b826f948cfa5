import type { Context } from "hono";
import type { DpopAtToken } from "../../actors/user-shard/api";
import type { RegisteredClient } from "../clients/registry";
import type { AppEnv } from "../types";
import { offerNonce, proofRefused, readProof, type AcceptedProof } from "./proof";

/**
 * DPoP at the token endpoint (RFC 9449 §5): the request's proof, checked once for
 * every grant. A client registered with dpop_bound_access_tokens (§5.2) must send one.
 */
export async function tokenProof(c: Context<AppEnv>, client: RegisteredClient): Promise<AcceptedProof | null> {
  const proof = await readProof(c, "token", "/token");
  if (proof === null && client.dpopBoundAccessTokens) {
    throw proofRefused("token", "invalid_dpop_proof", "this client must send a DPoP proof with every token request (dpop_bound_access_tokens)");
  }
  if (proof === null && client.securityProfile === "fapi2") {
    throw proofRefused("token", "invalid_dpop_proof", "FAPI 2.0 clients get sender-constrained tokens only: send a DPoP proof (FAPI 2.0 Security Profile §5.3.2.1, RFC 9449)");
  }
  if (proof !== null) await offerNonce(c, "token");
  return proof;
}

/**
 * What the user's shard needs of the proof: the key, the proof to remember, and
 * whether a refresh family issued now is bound to the key — for public clients
 * only (§5): a confidential client's refresh token is already bound to it by
 * client authentication, so it may change keys (§5, "not bound" for those).
 */
export function dpopForShard(proof: AcceptedProof | null, client: RegisteredClient): { dpop?: DpopAtToken } {
  return proof === null ? {} : { dpop: { jkt: proof.jkt, proof: proof.record, bindRefresh: client.clientType === "public" } };
}

/** §6.1: a bound access token names its key's thumbprint in `cnf.jkt`; §5 token_type DPoP. */
export function boundClaims(proof: AcceptedProof | null): { cnf?: { jkt: string } } {
  return proof === null ? {} : { cnf: { jkt: proof.jkt } };
}

export function tokenTypeOf(proof: AcceptedProof | null): "DPoP" | "Bearer" {
  return proof === null ? "Bearer" : "DPoP";
}
