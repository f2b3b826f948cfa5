import * as errors from "jose/errors";
import { createLocalJWKSet } from "jose/jwks/local";
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from "jose";
import type { Env } from "../../env";
import { publicJwksProblem, type PublicJwks } from "../../oauth/jwks";
import type { RegisteredClient } from "./registry";

/**
 * The public keys of a client (RFC 7591 §2 `jwks` / `jwks_uri`) or of a trusted
 * issuer, for checking what they sign: client assertions (RFC 7523 §2.2), JWT bearer
 * assertions (§2.1), request objects (RFC 9101). Keys registered by value are used as
 * they are; keys by reference are fetched and cached per isolate, so checking a JWT
 * costs no round trip while the cached set is fresh.
 */

/** A fetched set is used this long before it is fetched again (keys rotate rarely; the kid-miss refetch covers rotation). */
export const JWKS_TTL_MS = 5 * 60_000;
/** An unknown kid refetches the set at most this often per URI: a stream of made-up kids cannot make us hammer it. */
export const JWKS_REFETCH_MIN_MS = 30_000;
const FETCH_TIMEOUT_MS = 3_000;
/** MAX_JWKS_KEYS RSA-4096 keys fit with room to spare; anything bigger is not a key set. */
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_ENTRIES = 500;

interface Remote {
  keys: PublicJwks;
  verify: JWTVerifyGetKey;
  fetchedAt: number;
  /** The last fetch attempt, successful or not (the refetch rate limit). */
  triedAt: number;
}

const remote = new Map<string, Remote>();
/** URIs whose first fetch failed, and when: asked again only after FAILED_FETCH_WAIT_MS, so a dead URI is not fetched per request. */
const failedAt = new Map<string, number>();
const FAILED_FETCH_WAIT_MS = 5_000;
const byValue = new WeakMap<object, JWTVerifyGetKey>();

/** Why keys could not be had; callers turn it into their endpoint's error (invalid_client, invalid_grant, invalid_request_object). */
export class KeysUnavailable extends Error {}

/** The body of `response`, refused once it passes `limit` bytes (a Content-Length can lie or be absent). */
async function boundedText(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new KeysUnavailable(`the JWK Set is over ${limit} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

async function fetchJwks(uri: string): Promise<PublicJwks> {
  let response: Response;
  try {
    // No redirects: the registered URI is the one trusted to name the keys.
    response = await fetch(uri, { headers: { Accept: "application/json" }, redirect: "manual", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new KeysUnavailable(`fetching ${uri} failed: ${String(error).slice(0, 200)}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new KeysUnavailable(`${uri} answered ${response.status}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await boundedText(response, MAX_JWKS_BYTES));
  } catch (error) {
    if (error instanceof KeysUnavailable) throw error;
    throw new KeysUnavailable(`${uri} did not serve JSON`);
  }
  const problem = publicJwksProblem(parsed);
  if (problem) throw new KeysUnavailable(`${uri} did not serve a public JWK Set: ${problem}`);
  return parsed as PublicJwks;
}

/** Fetches `uri` now and caches the result; on failure the last good set (if any) stays in use. */
async function refresh(uri: string, now: number): Promise<Remote> {
  const known = remote.get(uri);
  if (known) known.triedAt = now;
  const failed = failedAt.get(uri);
  if (!known && failed !== undefined && now - failed < FAILED_FETCH_WAIT_MS) throw new KeysUnavailable(`fetching ${uri} failed moments ago`);
  let keys: PublicJwks;
  try {
    keys = await fetchJwks(uri);
  } catch (error) {
    if (!known) {
      failedAt.delete(uri);
      if (failedAt.size >= MAX_ENTRIES) failedAt.delete(failedAt.keys().next().value!);
      failedAt.set(uri, now);
    }
    if (known) {
      console.warn(`jwks ${uri}: refetch failed, keeping the cached set`, String(error));
      return known;
    }
    throw error;
  }
  failedAt.delete(uri);
  const entry: Remote = { keys, verify: createLocalJWKSet(keys as unknown as JSONWebKeySet), fetchedAt: now, triedAt: now };
  remote.delete(uri);
  if (remote.size >= MAX_ENTRIES) {
    const oldest = remote.keys().next();
    if (!oldest.done) remote.delete(oldest.value);
  }
  remote.set(uri, entry);
  return entry;
}

async function current(uri: string): Promise<Remote> {
  const now = Date.now();
  const known = remote.get(uri);
  if (known && now - known.fetchedAt < JWKS_TTL_MS) return known;
  if (known && now - known.triedAt < JWKS_REFETCH_MIN_MS) return known;
  return refresh(uri, now);
}

/**
 * A jose key resolver for the keys at `uri`: the cached set, refetched once when the
 * JWT names a kid it does not hold (the holder rotated its keys), at most once per
 * JWKS_REFETCH_MIN_MS.
 */
function remoteResolver(uri: string): JWTVerifyGetKey {
  return async (header, token) => {
    const entry = await current(uri);
    try {
      return await entry.verify(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - entry.triedAt < JWKS_REFETCH_MIN_MS) throw error;
      const fresh = await refresh(uri, Date.now());
      return fresh.verify(header, token);
    }
  };
}

/** Whose keys: a registered client's, or a trusted issuer's (the same two ways to name them). */
export interface KeyHolder {
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
}

/** The verifying key resolver of a holder's keys; throws KeysUnavailable when it has none. */
export function keyResolver(holder: KeyHolder): JWTVerifyGetKey {
  if (holder.jwks !== null) {
    let verify = byValue.get(holder.jwks);
    if (!verify) {
      verify = createLocalJWKSet(holder.jwks as unknown as JSONWebKeySet);
      byValue.set(holder.jwks, verify);
    }
    return verify;
  }
  if (holder.jwksUri !== null) return remoteResolver(holder.jwksUri);
  throw new KeysUnavailable("no keys registered (jwks or jwks_uri)");
}

/**
 * For other features: a jose `JWTVerifyGetKey` over the client's registered keys
 * (`jwks`, or `jwks_uri` fetched and cached per isolate), to pass to `jwtVerify`.
 * Throws KeysUnavailable when the client registered none; the resolver itself
 * rejects (jose's JWKSNoMatchingKey, or KeysUnavailable) when no key fits or the
 * URI cannot be fetched. `env` is taken for symmetry with the other client helpers.
 */
export function clientKeyResolver(_env: Env, client: RegisteredClient): JWTVerifyGetKey {
  return keyResolver(client);
}

/** A key set read by reference, or why it could not be read. */
export type FetchedJwks = { ok: true; jwks: PublicJwks } | { ok: false; why: string };

/**
 * The key set at `uri` for encrypting to its holder (ID tokens, UserInfo): the same
 * per-isolate cache, bounds and back-off as for verifying its signatures.
 */
export async function jwksFromUri(uri: string): Promise<FetchedJwks> {
  try {
    return { ok: true, jwks: (await current(uri)).keys };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** Forgets every key set read by reference and every failed read (tests). */
export function forgetFetchedJwks(): void {
  remote.clear();
  failedAt.clear();
}
