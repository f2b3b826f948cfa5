import { decodeProtectedHeader, errors, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import type { KeySet } from "../../actors/key-manager/api";
import type { Env } from "../../env";
import { isSigningAlg, type SigningAlg } from "../../oauth/signing-alg";
import { keyManagerRpc } from "../../shard/rpc";
import type { Config } from "../../config";
import { temporarilyUnavailable } from "../errors";
import { StaleWhileRefresh } from "../stale-while-refresh";

/** Allowed clock difference between us, other isolates and the token's issuer clock. */
const CLOCK_TOLERANCE_S = 30;
/** An unknown kid refreshes the cache at most this often, so garbage tokens cannot hammer the actor. */
const KID_REFRESH_INTERVAL_MS = 5_000;
/** Far above any token we issue; longer input is refused before it is parsed. */
const MAX_TOKEN_LENGTH = 16_384;

type Key = Awaited<ReturnType<typeof importJWK>>;

/**
 * The key manager's key set, cached per isolate for `keyCacheTtlMs`, with the keys
 * already imported. Signing and verifying never call the actor on the hot path.
 * When the TTL runs out one request refreshes while the others go on with the
 * stale set (StaleWhileRefresh); no request awaits a promise another request
 * started (Workers forbids awaiting another request's I/O). A retired key stays
 * published for longer than this cache lives (see retentionMs in the actor), so
 * signing with a just-retired key from a stale cache is harmless.
 */
interface LoadedKeys {
  fetchedAt: number;
  jwks: JWK[];
  signing: Record<SigningAlg, { kid: string; key: Key }>;
  verifying: Map<string, { alg: SigningAlg; key: Key }>;
}

let cached: LoadedKeys | null = null;
const refresher = new StaleWhileRefresh();
let lastKidRefreshAt = Number.NEGATIVE_INFINITY;

async function loadKeys(env: Env, config: Config, refresh = false): Promise<LoadedKeys> {
  const now = Date.now();
  if (cached && !refresh && refresher.canServe(cached.fetchedAt, config.keyCacheTtlMs, now)) return cached;
  return refresher.refresh(now, () => fetchKeys(env));
}

async function fetchKeys(env: Env): Promise<LoadedKeys> {
  let set: KeySet;
  try {
    set = await keyManagerRpc(env).keySet();
  } catch (error) {
    throw temporarilyUnavailable("the signing keys are unavailable, retry shortly", 1, String(error));
  }
  const signing = {
    ES256: { kid: set.active.ES256.kid, key: await importJWK(set.active.ES256.privateJwk, "ES256") },
    RS256: { kid: set.active.RS256.kid, key: await importJWK(set.active.RS256.privateJwk, "RS256") },
  };
  const verifying = new Map<string, { alg: SigningAlg; key: Key }>();
  for (const jwk of set.jwks) {
    if (isSigningAlg(jwk.alg) && typeof jwk.kid === "string") verifying.set(jwk.kid, { alg: jwk.alg, key: await importJWK(jwk, jwk.alg) });
  }
  cached = { fetchedAt: Date.now(), jwks: set.jwks, signing, verifying };
  return cached;
}

/** Signs `payload` with the active key of `alg`; the header names the key (`kid`). */
export async function signJwt(env: Env, config: Config, alg: SigningAlg, payload: JWTPayload, header?: { typ?: string }): Promise<string> {
  if (!isSigningAlg(alg)) throw new TypeError(`signJwt: alg must be ES256 or RS256, got ${String(alg)}`);
  const { kid, key } = (await loadKeys(env, config)).signing[alg];
  const protectedHeader = header?.typ === undefined ? { alg, kid } : { alg, kid, typ: header.typ };
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(key);
}

export type VerifyResult = { ok: true; payload: JWTPayload; kid: string } | { ok: false; reason: string };

/**
 * Verifies a JWT we issued: signature by a published key named by `kid`, `iss` equal
 * to our issuer, `exp` and `iat` present and current, and `typ`/`aud` when asked for
 * (`typ` compares case-insensitively with or without "application/", RFC 9068 §4 /
 * RFC 8725 §3.11). `ignoreExpiry` accepts a token past its `exp` (logout hints)
 * and nothing else. Bad input gives `{ ok: false }`, never an exception; only an
 * unreachable key manager throws (503 temporarily_unavailable).
 */
export async function verifyJwt(
  env: Env,
  config: Config,
  token: string,
  options: { typ?: string; audience?: string; ignoreExpiry?: boolean },
): Promise<VerifyResult> {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return refuse("malformed");
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return refuse("malformed");
  }
  // Only our two algorithms: never "none", never HMAC with a public key as secret (RFC 8725 §2.1, §3.1).
  if (!isSigningAlg(header.alg)) return refuse("alg_not_allowed");
  if (typeof header.kid !== "string" || header.kid === "") return refuse("kid_missing");
  const entry = await verifyingKey(env, config, header.kid);
  if (!entry) return refuse("unknown_kid");
  if (entry.alg !== header.alg) return refuse("alg_mismatch");
  try {
    const { payload } = await jwtVerify(token, entry.key, {
      algorithms: [entry.alg],
      issuer: config.issuer,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp", "iat"],
      ...(options.typ === undefined ? {} : { typ: options.typ }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    });
    if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) return refuse("iat_in_future");
    return { ok: true, payload, kid: header.kid };
  } catch (error) {
    // jose checks exp last, after the signature, typ, iss and aud: an expired token
    // here is otherwise valid. RP-Initiated Logout 1.0 §4 accepts expired ID tokens as hints.
    if (options.ignoreExpiry && error instanceof errors.JWTExpired && error.claim === "exp") {
      const payload = error.payload;
      if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) return refuse("iat_in_future");
      return { ok: true, payload, kid: header.kid };
    }
    return refuse(reasonOf(error));
  }
}

/** The published key of `kid`; an unknown kid refreshes the cache once (rate-limited): it may be a key newer than our cache. */
async function verifyingKey(env: Env, config: Config, kid: string): Promise<{ alg: SigningAlg; key: Key } | undefined> {
  const known = (await loadKeys(env, config)).verifying.get(kid);
  if (known || Date.now() - lastKidRefreshAt < KID_REFRESH_INTERVAL_MS) return known;
  lastKidRefreshAt = Date.now();
  return (await loadKeys(env, config, true)).verifying.get(kid);
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** jose's stable error codes, turned into short reasons for logs. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim}_${error.reason === "missing" ? "missing" : "invalid"}`;
  if (error instanceof errors.JOSEError) {
    switch (error.code) {
      case errors.JWTExpired.code:
        return "expired";
      case errors.JWSSignatureVerificationFailed.code:
        return "bad_signature";
      case errors.JOSEAlgNotAllowed.code:
        return "alg_not_allowed";
      default:
        return "malformed";
    }
  }
  return "malformed";
}

/** The public keys to publish at /jwks.json (RFC 7517 §5). */
export async function publishedJwks(env: Env, config: Config): Promise<{ keys: JWK[] }> {
  return { keys: [...(await loadKeys(env, config)).jwks] };
}

/** Drops the cached keys (tests; the operator rotation route in this isolate). */
export function forgetKeys(): void {
  cached = null;
  lastKidRefreshAt = Number.NEGATIVE_INFINITY;
}
