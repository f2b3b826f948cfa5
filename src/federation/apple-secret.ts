import { importPKCS8 } from "jose/key/import";
import { SignJWT } from "jose/jwt/sign";
import { openSecret } from "../oauth/sealed-secret";

/**
 * Apple's client secret (Sign in with Apple, "Creating a client secret"): a JWT signed with
 * ES256 by the team's private key (.p8, PKCS#8 P-256), header {alg: ES256, kid: Key ID},
 * claims iss = Team ID, iat, exp (at most 15777000 s, 6 months, after iat), aud =
 * https://appleid.apple.com and sub = the Services ID (client_id). Minted here per token
 * request, short-lived, so the operator stores the key once instead of renewing a secret.
 */
export const APPLE_AUDIENCE = "https://appleid.apple.com";
/** Apple's upper bound on exp - iat. */
export const APPLE_MAX_LIFETIME_S = 15_777_000;
/** Ours: the secret is minted when needed, so a short one is enough. */
export const APPLE_SECRET_LIFETIME_S = 300;
/** A cached secret is reused while at least this much of its lifetime is left. */
const MARGIN_S = 60;

/** Apple's Team ID and Key ID: ten upper-case letters or digits. */
export const APPLE_ID = /^[A-Z0-9]{10}$/;

/** The sealed key is bound to the provider id and this purpose, so it never opens as a client secret. */
export function appleKeyBinding(upstreamId: string): string {
  return `${upstreamId}#apple-private-key`;
}

/** The key as jose reads it, or null when it is not a PKCS#8 PEM P-256 (ES256) private key. */
export async function importAppleKey(pem: string): Promise<CryptoKey | null> {
  try {
    return await importPKCS8(pem.trim(), "ES256");
  } catch {
    return null;
  }
}

export interface AppleSigner {
  teamId: string;
  keyId: string;
  clientId: string;
}

/** A fresh client secret, signed now with `key`. */
export async function mintAppleSecret(key: CryptoKey, s: AppleSigner, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "ES256", kid: s.keyId })
    .setIssuer(s.teamId)
    .setSubject(s.clientId)
    .setAudience(APPLE_AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + APPLE_SECRET_LIFETIME_S)
    .sign(key);
}

/** Per isolate: the last secret minted for each provider's exact key material, until its margin. */
const cache = new Map<string, { jwt: string; expiresAt: number }>();

export interface AppleKeyRow extends AppleSigner {
  id: string;
  sealedKey: string;
}

/**
 * The client secret for a token request to Apple: cached while it has more than a minute
 * left, else minted from the sealed key. Null when the key does not open or import (the
 * FEDERATION_SECRET_KEY changed).
 */
export async function appleClientSecret(secretKey: string, row: AppleKeyRow): Promise<string | null> {
  const nowS = Math.floor(Date.now() / 1000);
  const cacheKey = `${row.id}\n${row.teamId}\n${row.keyId}\n${row.clientId}\n${row.sealedKey}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.expiresAt - MARGIN_S > nowS) return hit.jwt;
  const pem = await openSecret(secretKey, appleKeyBinding(row.id), row.sealedKey);
  const key = pem === null ? null : await importAppleKey(pem);
  if (!key) return null;
  const jwt = await mintAppleSecret(key, row, nowS);
  for (const k of cache.keys()) if (k.startsWith(`${row.id}\n`)) cache.delete(k);
  cache.set(cacheKey, { jwt, expiresAt: nowS + APPLE_SECRET_LIFETIME_S });
  return jwt;
}
