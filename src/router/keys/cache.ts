import * as errors from "jose/errors";
import { decodeProtectedHeader } from "jose/decode/protected_header";
import { importJWK } from "jose/key/import";
import { jwtVerify } from "jose/jwt/verify";
import { SignJWT } from "jose/jwt/sign";
import type { JWK, JWTPayload, ProtectedHeaderParameters } from "jose";
import type { KeySet } from "../../actors/key-manager/api";
import type { Env } from "../../env";
import { isSigningAlg, type SigningAlg } from "../../oauth/signing-alg";
import { keyManagerRpc } from "../../shard/rpc";
import type { Config } from "../../config";
import { temporarilyUnavailable } from "../errors";
import { StaleWhileRefresh } from "../stale-while-refresh";

/** A request that checked it can sign has this long to do so before the held keys are too old to sign with. */
const SIGNING_HEADROOM_MS = 30_000;
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
 * Past the TTL the set is still served while one refresh runs in the background
 * (StaleWhileRefresh); no request awaits a promise another request started (Workers
 * forbids awaiting another request's I/O).
 *
 * When the key manager cannot be reached, the isolate keeps signing with the keys it
 * holds, serving its JWKS and verifying, and asks again after a backoff. Signing with
 * a held key is safe only while that key is still published wherever relying parties
 * fetch the JWKS: the key manager keeps a retired key published for `retentionMs`
 * after it retires it, which covers a router that goes on signing with it for
 * `keyCacheTtlMs + keyStaleSigningMs` after fetching it (the key was active when
 * fetched, so it retired no earlier). Past that age the isolate stops signing (503
 * temporarily_unavailable) until the key manager answers; verifying and the JWKS
 * need no bound (a key leaves the JWKS only once all it signed has expired).
 * An isolate with no keys at all signs nothing: 503, never a 500.
 */
interface LoadedKeys {
  /** When the fetch that gave these keys started (so no earlier than the keys were read). */
  fetchedAt: number;
  jwks: JWK[];
  signing: Record<SigningAlg, { kid: string; key: Key }>;
  verifying: Map<string, { alg: SigningAlg; key: Key }>;
}

let cached: LoadedKeys | null = null;
const refresher = new StaleWhileRefresh();
let lastKidRefreshAt = Number.NEGATIVE_INFINITY;

const UNAVAILABLE = "the signing keys are unavailable, retry shortly";

/**
 * The held key set, refreshed in the background past its TTL; awaited from the key
 * manager when there is none, when `refresh` asks for a newer one, or when it is
 * older than `maxAgeMs` (signing).
 */
async function loadKeys(env: Env, config: Config, options: { refresh?: boolean; maxAgeMs?: number } = {}): Promise<LoadedKeys> {
  const now = Date.now();
  if (cached && !options.refresh && now - cached.fetchedAt <= (options.maxAgeMs ?? Number.POSITIVE_INFINITY)) {
    if (!refresher.isFresh(cached.fetchedAt, config.keyCacheTtlMs, now)) {
      const age = Math.round((now - cached.fetchedAt) / 1000);
      refresher.refreshInBackground(now, () => fetchKeys(env), (error) =>
        console.warn(`key manager unreachable; using the keys fetched ${age} s ago`, String(error)),
      );
    }
    return cached;
  }
  if (refresher.backoff.waiting(now)) {
    throw temporarilyUnavailable(UNAVAILABLE, refresher.backoff.retryAfterS(now), "the key manager failed moments ago (backing off)");
  }
  try {
    return await refresher.refresh(now, () => fetchKeys(env));
  } catch (error) {
    throw temporarilyUnavailable(UNAVAILABLE, refresher.backoff.retryAfterS(Date.now()), String(error));
  }
}

async function fetchKeys(env: Env): Promise<LoadedKeys> {
  const started = Date.now();
  const set: KeySet = await keyManagerRpc(env).keySet();
  const signing = {
    ES256: { kid: set.active.ES256.kid, key: await importJWK(set.active.ES256.privateJwk, "ES256") },
    RS256: { kid: set.active.RS256.kid, key: await importJWK(set.active.RS256.privateJwk, "RS256") },
  };
  const verifying = new Map<string, { alg: SigningAlg; key: Key }>();
  for (const jwk of set.jwks) {
    if (isSigningAlg(jwk.alg) && typeof jwk.kid === "string") verifying.set(jwk.kid, { alg: jwk.alg, key: await importJWK(jwk, jwk.alg) });
  }
  const loaded = { fetchedAt: started, jwks: set.jwks, signing, verifying };
  // Never replace a newer set with an older one fetched concurrently.
  if (!cached || cached.fetchedAt <= started) cached = loaded;
  return loaded;
}

/**
 * Makes sure this isolate can sign for the next half minute, or throws 503
 * temporarily_unavailable. Grants call it before their shard call: a code redeemed
 * or a refresh token rotated in the shard, and then no token to hand back, would
 * leave the client retrying a code or token that is now spent — a replay, which
 * revokes the whole grant.
 */
export async function ensureSigningKeys(env: Env, config: Config): Promise<void> {
  await loadKeys(env, config, { maxAgeMs: config.keyCacheTtlMs + config.keyStaleSigningMs - SIGNING_HEADROOM_MS });
}

/** Signs `payload` with the active key of `alg`; the header names the key (`kid`). */
export async function signJwt(env: Env, config: Config, alg: SigningAlg, payload: JWTPayload, header?: { typ?: string }): Promise<string> {
  if (!isSigningAlg(alg)) throw new TypeError(`signJwt: alg must be ES256 or RS256, got ${String(alg)}`);
  const { kid, key } = (await loadKeys(env, config, { maxAgeMs: config.keyCacheTtlMs + config.keyStaleSigningMs })).signing[alg];
  const protectedHeader = header?.typ === undefined ? { alg, kid } : { alg, kid, typ: header.typ };
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(key);
}

export type VerifyResult = { ok: true; payload: JWTPayload; kid: string } | { ok: false; reason: string };

/**
 * Verifies a JWT we issued: signature by a published key named by `kid`, `iss` equal
 * to our issuer, `exp` and `iat` present and current, and `typ`/`aud` when asked for
 * (`typ` compares case-insensitively with or without "application/", RFC 9068 §4 /
 * RFC 8725 §3.11). `ignoreExpiry` accepts a token past its `exp` (logout hints)
 * and nothing else. Bad input gives `{ ok: false }`, never an exception; only a key
 * manager that cannot be reached when the isolate holds no keys, or when an unknown
 * kid asks for newer ones, throws (503 temporarily_unavailable).
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
  return (await loadKeys(env, config, { refresh: true })).verifying.get(kid);
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

/** Drops the cached keys and any memory of key-manager failures (tests; the operator rotation route in this isolate). */
export function forgetKeys(): void {
  cached = null;
  lastKidRefreshAt = Number.NEGATIVE_INFINITY;
  refresher.reset();
}
