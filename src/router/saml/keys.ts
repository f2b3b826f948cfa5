import { exportPKCS8 } from "jose/key/export";
import { importJWK } from "jose/key/import";
import type { KeyState } from "../../actors/key-manager/api";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { toPem } from "../../saml/xml";
import { keyManagerRpc } from "../../shard/rpc";
import { temporarilyUnavailable } from "../errors";

export interface SamlSigning {
  kid: string;
  privateKeyPem: string;
  certPem: string;
  /** Every published RS256 key's certificate (base64 DER), for the IdP metadata. */
  certificates: { kid: string; state: KeyState; certificate: string }[];
}

let cached: { at: number; keys: SamlSigning } | null = null;

/**
 * The key manager's RS256 key as SAML needs it (a PEM key and its certificate), cached
 * per isolate like the JWS keys (KEY_CACHE_TTL_MS): SSO responses make no key-manager
 * call while it is fresh. Past the TTL it is fetched again; when the key manager cannot
 * be reached the held set serves for KEY_STALE_SIGNING_S more (the key stays published
 * that long after it retires, src/actors/key-manager/actor.ts retentionMs), then 503.
 */
export async function samlSigning(env: Env, config: Config): Promise<SamlSigning> {
  const now = Date.now();
  if (cached && now - cached.at < config.keyCacheTtlMs) return cached.keys;
  try {
    const set = await keyManagerRpc(env).samlKeys();
    const key = await importJWK(set.active.privateJwk, "RS256", { extractable: true });
    const active = set.certificates.find((c) => c.kid === set.active.kid);
    if (!active) throw new Error("the active RS256 key has no certificate");
    const keys = { kid: set.active.kid, privateKeyPem: await exportPKCS8(key as CryptoKey), certPem: toPem(active.certificate), certificates: set.certificates };
    cached = { at: now, keys };
    return keys;
  } catch (error) {
    if (cached && now - cached.at < config.keyCacheTtlMs + config.keyStaleSigningMs) return cached.keys;
    throw temporarilyUnavailable("the signing keys are unavailable, retry shortly", 5, String(error));
  }
}

/** Drops the held SAML keys (tests; after an operator rotation in this isolate). */
export function forgetSamlKeys(): void {
  cached = null;
}
