import type { Context } from "hono";
import type { DpopProofRecord } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import { DPOP_ALGS, verifyProof, type VerifiedProof } from "../../oauth/dpop";
import { sha256 } from "../../oauth/secrets";
import { OAuthError } from "../errors";
import type { AppEnv } from "../types";
import { currentNonce, isFreshNonce } from "./nonce";

/**
 * DPoP proofs as the endpoints receive them (RFC 9449 §4.3): the stateless checks
 * (src/oauth/dpop.ts), then the server nonce (§8, §9). Replay (§11.1) is the user
 * shard's, in the transaction of the request (src/actors/user-shard/dpop.ts).
 */

/** Where a proof is presented: the token endpoint answers in RFC 6749 §5.2 style, a resource in RFC 6750 §3 style (§7.1). */
export type ProofSite = "token" | "resource";

/** A proof that passed here: its key's thumbprint, and what the shard remembers of it. */
export interface AcceptedProof {
  jkt: string;
  record: DpopProofRecord;
}

export const DPOP_ALGS_PARAM = `algs="${DPOP_ALGS.join(" ")}"`;

const quoted = (text: string) => text.replace(/["\\]/g, "");

/** The refusal of a proof, at /token (400) or at a resource (401 with a DPoP challenge). */
export function proofRefused(site: ProofSite, code: "invalid_dpop_proof" | "use_dpop_nonce", description: string, headers: Record<string, string> = {}): OAuthError {
  if (site === "token") return new OAuthError(code, 400, description, { headers });
  const challenge = `DPoP error="${code}", error_description="${quoted(description)}", ${DPOP_ALGS_PARAM}`;
  return new OAuthError(code, 401, description, { headers: { ...headers, "WWW-Authenticate": challenge } });
}

function nonceRequired(config: Config, site: ProofSite): boolean {
  return config.dpopNonce === "all" || (config.dpopNonce === "token" && site === "token");
}

/** §8.2: a server that requires nonces may hand a fresh one out with any response; clients keep the latest. */
export async function offerNonce(c: Context<AppEnv>, site: ProofSite): Promise<void> {
  const config = c.var.config;
  if (config.dpopNonceSecret !== null && nonceRequired(config, site)) c.header("DPoP-Nonce", await currentNonce(config.dpopNonceSecret));
}

async function checkNonce(config: Config, site: ProofSite, proof: VerifiedProof): Promise<void> {
  const secret = config.dpopNonceSecret;
  if (secret === null || !nonceRequired(config, site) || (await isFreshNonce(secret, proof.nonce))) return;
  const description = proof.nonce === undefined ? "a DPoP nonce is required: retry with the nonce in DPoP-Nonce" : "the DPoP nonce is stale: retry with the nonce in DPoP-Nonce";
  throw proofRefused(site, "use_dpop_nonce", description, { "DPoP-Nonce": await currentNonce(secret) });
}

/**
 * The request's DPoP proof, checked, or null without a `DPoP` header. `path` is the
 * endpoint's own path: `htu` is compared with the issuer's URL for it, never with the
 * Host header, so the check holds behind proxies and custom domains.
 */
export async function readProof(c: Context<AppEnv>, site: ProofSite, path: string, accessToken?: string): Promise<AcceptedProof | null> {
  const header = c.req.header("DPoP");
  if (header === undefined) return null;
  const config = c.var.config;
  const target = { method: c.req.method, url: `${config.issuer}${path}`, now: Math.floor(Date.now() / 1000), windowS: config.dpopIatWindowS };
  const checked = await verifyProof(header.trim(), accessToken === undefined ? target : { ...target, accessToken });
  if (!checked.ok) throw proofRefused(site, "invalid_dpop_proof", checked.reason);
  await checkNonce(config, site, checked.proof);
  // Remembered while its iat is acceptable: after that the iat check refuses it on its own.
  const expiresAt = (checked.proof.iat + config.dpopIatWindowS) * 1000;
  return { jkt: checked.proof.jkt, record: { jtiHash: await sha256(checked.proof.jti), expiresAt } };
}
