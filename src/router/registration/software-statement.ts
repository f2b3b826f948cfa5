import { createLocalJWKSet } from "jose/jwks/local";
import { decodeJwt } from "jose/jwt/decode";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { jwtVerify } from "jose/jwt/verify";
import type { JSONWebKeySet } from "jose";
import type { SoftwareStatementTrust } from "../../config";
import { invalidSoftwareStatement, unapprovedSoftwareStatement } from "./errors";
import type { Input } from "./fields";

/** Compact JWS of a few kilobytes at most; anything longer is not a statement of metadata. */
const MAX_STATEMENT_LENGTH = 8192;
/** Asymmetric algorithms only: a statement is a third party's assertion, never a shared secret's. */
const ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"];
/** JWT claims about the statement itself, not about the client (RFC 7519 §4.1). */
const JWT_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
const CLOCK_TOLERANCE_S = 30;

export interface StatementResult {
  /** The request's metadata with the statement's claims laid over it. */
  metadata: Input;
  /** The statement as it was sent, to be returned unmodified (RFC 7591 §3.2.1); null without one. */
  statement: string | null;
}

/** The statement's claims, before its signature is checked; throws invalid_software_statement when it is no JWT. */
function unverifiedClaims(statement: string): Record<string, unknown> {
  try {
    decodeProtectedHeader(statement);
    return decodeJwt(statement);
  } catch {
    throw invalidSoftwareStatement("is not a JWT (RFC 7591 §2.3)");
  }
}

/**
 * RFC 7591 §2.3 and §3.1.1: a software statement is a JWT whose claims are client
 * metadata, signed by a party this provider trusts. Its `iss` must be the one issuer
 * configured (DCR_SOFTWARE_STATEMENT_ISSUER), else unapproved_software_statement; its
 * signature must verify with that issuer's keys and it must be within its lifetime,
 * else invalid_software_statement. Its claims then take precedence over the same
 * members of the request (§3.1.1), so a registrant cannot contradict its statement.
 */
export async function applySoftwareStatement(input: Input, trust: SoftwareStatementTrust | null): Promise<StatementResult> {
  const { software_statement: statement, ...request } = input;
  if (statement === undefined || statement === null) return { metadata: request, statement: null };
  if (typeof statement !== "string") throw invalidSoftwareStatement("must be a string (a signed JWT)");
  if (statement.length > MAX_STATEMENT_LENGTH) throw invalidSoftwareStatement(`must be at most ${MAX_STATEMENT_LENGTH} characters`);
  const claims = unverifiedClaims(statement);
  if (trust === null) throw unapprovedSoftwareStatement("this provider accepts no software statements (no trusted issuer is configured)");
  if (claims.iss !== trust.issuer) throw unapprovedSoftwareStatement(`statements by ${JSON.stringify(claims.iss ?? null)} are not accepted here`);
  let verified: Record<string, unknown>;
  try {
    const keys = createLocalJWKSet(trust.jwks as unknown as JSONWebKeySet);
    ({ payload: verified } = await jwtVerify(statement, keys, { issuer: trust.issuer, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S }));
  } catch (error) {
    throw invalidSoftwareStatement(`does not verify: ${describe(error)}`);
  }
  const fromStatement = Object.fromEntries(Object.entries(verified).filter(([claim]) => !JWT_CLAIMS.has(claim)));
  return { metadata: { ...request, ...fromStatement }, statement };
}

/** jose's error codes in words a registrant can act on. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_JWT_EXPIRED") return "it has expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `claim check failed (${(error as Error).message})`;
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "no trusted key matches its header (kid, alg)";
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED") return "its algorithm is not accepted (asymmetric signatures only)";
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "the signature is not valid";
  return "the signature or its claims are not valid";
}
