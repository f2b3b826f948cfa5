import * as base64url from "jose/base64url";
import { calculateJwkThumbprint } from "jose/jwk/thumbprint";
import { compactVerify } from "jose/jws/compact/verify";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { importJWK } from "jose/key/import";
import type { JWK } from "jose";
import { publicJwkProblem } from "./jwks";

/**
 * DPoP proofs (RFC 9449 §4): the checks that need no I/O. A proof is one JWT in
 * the `DPoP` header, signed with the private half of the public key in its own
 * `jwk` header; it names the request (`htm`, `htu`), its time (`iat`), a unique
 * `jti` and, at a resource, the access token (`ath`).
 */

/**
 * Asymmetric algorithms only (§4.2: "MUST NOT be none or an identifier for a symmetric
 * algorithm"): the ones every client library offers and workerd verifies natively.
 */
export const DPOP_ALGS = ["ES256", "RS256", "PS256", "EdDSA"] as const;
export type DpopAlg = (typeof DPOP_ALGS)[number];

/** A JWS compact serialization with one value: a second `DPoP` header joins the first with ", " and fails here (§4.3 check 1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Far above any real proof (an RSA-4096 jwk is about 1 KB); refused before any parsing. */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

/** What the request is: the proof must name it. */
export interface ProofTarget {
  /** The request's method (`htm`). */
  method: string;
  /** The endpoint's URL as the issuer names it (`htu`), without query and fragment. */
  url: string;
  /** The access token presented with the proof at a resource (`ath`, §4.3 check 11); absent at /token. */
  accessToken?: string;
  /** Our clock, epoch seconds. */
  now: number;
  /** Seconds `iat` may lie from `now`, either way (§11.1). */
  windowS: number;
}

/** A proof that passed every check but the nonce and the replay, which need state. */
export interface VerifiedProof {
  /** The key's JWK SHA-256 thumbprint (RFC 7638), base64url: what a bound token's `cnf.jkt` holds (§6.1). */
  jkt: string;
  jti: string;
  iat: number;
  nonce: string | undefined;
}

export type ProofCheck = { ok: true; proof: VerifiedProof } | { ok: false; reason: string };

const refuse = (reason: string): ProofCheck => ({ ok: false, reason });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `htu` compared after RFC 3986 §6.2.2/§6.2.3 normalization (case of scheme and host,
 * default port, dot segments — what URL parsing does), ignoring query and fragment (§4.3 check 9).
 */
export function sameTarget(htu: string, expected: string): boolean {
  if (!URL.canParse(htu)) return false;
  const a = new URL(htu);
  const b = new URL(expected);
  return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
}

/** `ath` (§4.2): base64url of the SHA-256 of the access token's ASCII. */
export async function accessTokenHashForDpop(accessToken: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken))));
}

/** The header checks of §4.3 (checks 2-6): one JWT, typ dpop+jwt, an allowed asymmetric alg, a public jwk. */
function headerProblem(proof: string): { alg: DpopAlg; jwk: JWK } | string {
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) return "the DPoP header must be exactly one JWT";
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    return "the DPoP proof's header is not valid JSON";
  }
  if (header.typ !== "dpop+jwt") return "the DPoP proof must have typ dpop+jwt";
  const alg = header.alg;
  if (typeof alg !== "string" || !(DPOP_ALGS as readonly string[]).includes(alg)) return `the DPoP proof's alg must be one of ${DPOP_ALGS.join(", ")}`;
  const problem = publicJwkProblem(header.jwk);
  if (problem !== null) return `the DPoP proof's jwk header ${problem}`;
  return { alg: alg as DpopAlg, jwk: header.jwk as JWK };
}

/** The claim checks of §4.3 (checks 7-11) on a payload whose signature verified. */
async function claimsProblem(payload: Record<string, unknown>, target: ProofTarget): Promise<string | null> {
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > MAX_JTI_LENGTH) return "the DPoP proof needs a jti";
  if (htm !== target.method) return "the DPoP proof's htm does not match the request method";
  if (typeof htu !== "string" || !sameTarget(htu, target.url)) return "the DPoP proof's htu does not match the request URL";
  if (typeof iat !== "number" || !Number.isFinite(iat)) return "the DPoP proof needs an iat";
  if (Math.abs(target.now - iat) > target.windowS) return "the DPoP proof's iat is outside the accepted window";
  if (nonce !== undefined && typeof nonce !== "string") return "the DPoP proof's nonce must be a string";
  if (target.accessToken !== undefined) {
    if (typeof ath !== "string") return "the DPoP proof needs ath at a resource";
    if (ath !== (await accessTokenHashForDpop(target.accessToken))) return "the DPoP proof's ath does not match the access token";
  }
  return null;
}

function parsePayload(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** Every stateless check of RFC 9449 §4.3 on one `DPoP` header value. */
export async function verifyProof(proof: string, target: ProofTarget): Promise<ProofCheck> {
  const header = headerProblem(proof);
  if (typeof header === "string") return refuse(header);
  let signed: Uint8Array;
  try {
    const key = await importJWK(header.jwk, header.alg);
    ({ payload: signed } = await compactVerify(proof, key, { algorithms: [header.alg] }));
  } catch {
    // A key that does not fit alg (or is too short for it), or a bad signature.
    return refuse("the DPoP proof's signature does not verify with its jwk");
  }
  // The signature only: §4.3 defines which claims count, so no generic JWT rule (exp, nbf) is applied.
  const payload = parsePayload(signed);
  if (payload === null) return refuse("the DPoP proof's payload is not a JSON object");
  const problem = await claimsProblem(payload, target);
  if (problem !== null) return refuse(problem);
  const jkt = await calculateJwkThumbprint(header.jwk, "sha256");
  return { ok: true, proof: { jkt, jti: payload.jti as string, iat: payload.iat as number, nonce: payload.nonce as string | undefined } };
}

/** A `dpop_jkt` parameter (§10): a base64url SHA-256 thumbprint, 43 characters. */
export function isJwkThumbprint(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
