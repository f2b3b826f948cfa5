import * as errors from "jose/errors";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { jwtVerify } from "jose/jwt/verify";
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import type { Env } from "../../env";
import type { Config } from "../../config";
import { ASSERTION_ALGS, type AssertionAlg } from "../../oauth/assertion-algs";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { callShard } from "../shards/call";
import { shardFailure } from "../shard-errors";
import { KeysUnavailable } from "./client-keys";

/**
 * Checking a JWT that a client or a trusted issuer signed: client assertions (RFC 7523
 * §2.2, §3), JWT bearer grants (§2.1, §3) and request objects (RFC 9101 §6). Each
 * failure is an AssertionRefused whose message the caller sends under its own error
 * code (invalid_client, invalid_grant, invalid_request_object).
 */
export class AssertionRefused extends Error {
  /** Whether the signer's keys were the problem (no such key, bad signature): a client authentication answer keeps that vague, so it never tells which client ids exist. */
  constructor(message: string, readonly keyProblem = false) {
    super(message);
  }
}

const KEY_PROBLEMS = new Set(["ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JWKS_NO_MATCHING_KEY", "ERR_JWKS_MULTIPLE_MATCHING_KEYS"]);

/** Clocks of the signer and ours may differ this much (RFC 7523 §3 items 4-6 allow "a small leeway"). */
export const CLOCK_SKEW_S = 30;
/** Client assertions and request objects are made just before they are sent: five minutes is ample. */
export const MAX_ASSERTION_LIFETIME_S = 300;
const MAX_JTI_LENGTH = 256;

export interface AssertionPolicy {
  /** The signer's public keys, or (client_secret_jwt) the HMAC key. */
  keys: JWTVerifyGetKey | Uint8Array;
  issuer: string;
  /** null: any subject (the caller checks it). */
  subject: string | null;
  /** Any one of these in `aud` will do. */
  audiences: readonly string[];
  /** The algorithms accepted (see algsOf). */
  algs: readonly string[];
  maxLifetimeS: number;
  /** Whether `jti` is required (assertions) or optional (request objects). */
  requireJti: boolean;
  /** The JWT `typ` the header must carry, if any. */
  typ?: string;
}

/** A registered algorithm, or any asymmetric one we accept (never none, never HMAC). */
export function algsOf(alg: AssertionAlg | null): readonly string[] {
  return alg === null ? ASSERTION_ALGS : [alg];
}

export interface CheckedAssertion {
  payload: JWTPayload & { exp: number };
  alg: string;
}

const JOSE_REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: "has expired",
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "has a signature that does not verify with the registered keys",
  ERR_JWKS_NO_MATCHING_KEY: "names a key (kid) that is not among the registered keys",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: "matches several registered keys; give it a kid",
  ERR_JOSE_ALG_NOT_ALLOWED: "is signed with an algorithm that is not allowed",
  ERR_JWS_INVALID: "is not a well-formed JWS",
  ERR_JWT_INVALID: "is not a well-formed JWT",
};

function explain(error: unknown, what: string): AssertionRefused {
  if (error instanceof AssertionRefused) return error;
  if (error instanceof KeysUnavailable) return new AssertionRefused(`the keys to check the ${what} are unavailable: ${error.message}`, true);
  if (error instanceof errors.JWTClaimValidationFailed) return new AssertionRefused(`the ${what}'s ${error.claim} claim is not acceptable: ${error.reason === "check_failed" ? "wrong value" : error.reason}`);
  if (error instanceof errors.JOSEError) return new AssertionRefused(`the ${what} ${JOSE_REASONS[error.code] ?? `could not be verified (${error.code})`}`, KEY_PROBLEMS.has(error.code));
  return new AssertionRefused(`the ${what} could not be verified`);
}

/**
 * Verifies `jwt` under `policy`: signature with an allowed algorithm (never `none`, never
 * HMAC), `iss`, `sub`, `aud`, `exp` required and at most `maxLifetimeS` ahead, `nbf` and
 * `iat` not in the future (RFC 7523 §3 items 1-7; RFC 9101 §6.3 and §10.2).
 */
export async function checkAssertion(jwt: string, policy: AssertionPolicy, what: string): Promise<CheckedAssertion> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(jwt).alg;
  } catch {
    throw new AssertionRefused(`the ${what} is not a JWS (header.payload.signature)`);
  }
  const allowed = policy.algs;
  if (typeof alg !== "string" || !allowed.includes(alg)) {
    throw new AssertionRefused(`the ${what} must be signed with ${allowed.join(", ")}; got alg ${JSON.stringify(alg).slice(0, 40)}`);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, policy.keys, {
      algorithms: [...allowed],
      issuer: policy.issuer,
      ...(policy.subject === null ? {} : { subject: policy.subject }),
      audience: [...policy.audiences],
      clockTolerance: CLOCK_SKEW_S,
      requiredClaims: policy.requireJti ? ["exp", "jti"] : ["exp"],
      ...(policy.typ === undefined ? {} : { typ: policy.typ }),
    }));
  } catch (error) {
    throw explain(error, what);
  }
  const now = Math.floor(Date.now() / 1000);
  const exp = payload.exp!;
  if (exp - now > policy.maxLifetimeS + CLOCK_SKEW_S) throw new AssertionRefused(`the ${what}'s exp is more than ${policy.maxLifetimeS} s ahead`);
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_S) throw new AssertionRefused(`the ${what}'s iat is in the future`);
  if (payload.jti !== undefined && (typeof payload.jti !== "string" || payload.jti === "" || payload.jti.length > MAX_JTI_LENGTH)) {
    throw new AssertionRefused(`the ${what}'s jti must be 1-${MAX_JTI_LENGTH} characters`);
  }
  return { payload: payload as JWTPayload & { exp: number }, alg };
}

/** The replay-store key of an assertion: SHA-256 of (issuer, jti), so no issuer can spend another's jti. */
export async function assertionKey(issuer: string, jti: string): Promise<string> {
  return sha256(JSON.stringify([issuer, jti]));
}

/** When a spent assertion's row may go: after its exp and the leeway, nothing accepts it anyway. */
export function spentUntil(exp: number): number {
  return (exp + CLOCK_SKEW_S) * 1000;
}

/**
 * Spends an assertion's `jti` once (RFC 7523 §3 item 7, RFC 7521 §4.2): one call to
 * the shard of the bucket its key hashes to, whose transaction lets exactly one of
 * concurrent requests through. This is the one extra actor call a JWT-authenticated
 * client costs on /token — the price of replay protection, which FAPI requires.
 */
export async function spendAssertionOnce(env: Env, config: Config, issuer: string, jti: string, exp: number, what: string): Promise<void> {
  const keyHash = await assertionKey(issuer, jti);
  const bucket = bucketOf(keyHash);
  const spent = await callShard(env, config, bucket, (shard) => shard.spendAssertion({ bucket, keyHash, expiresAt: spentUntil(exp) }));
  if (spent.ok) return;
  if (spent.error === "invalid_grant") throw new AssertionRefused(`the ${what} was already used (its jti is single use)`);
  throw shardFailure(spent, "change", `the ${what} check`);
}
