import type { PublicJwks } from "./jwks";

/**
 * JWE algorithms for ID tokens and UserInfo responses (RFC 7516; RFC 7518 §4.3
 * RSA-OAEP-256, §4.6 ECDH-ES and ECDH-ES+A128KW/A256KW). RSA1_5 and RSA-OAEP (SHA-1)
 * are left out on purpose (RFC 8725 §3.2); `dir` and AES key wrap would need a secret
 * shared with the client, and client secrets are stored only as hashes.
 */
export const ENCRYPTION_ALGS = ["RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"] as const;
export type EncryptionAlg = (typeof ENCRYPTION_ALGS)[number];

/**
 * Content encryption (RFC 7518 §5.2.3, §5.3). A128CBC-HS256 is here because OIDC
 * Registration §2 makes it the default when a client names an alg without an enc.
 */
export const ENCRYPTION_ENCS = ["A128CBC-HS256", "A256GCM"] as const;
export type EncryptionEnc = (typeof ENCRYPTION_ENCS)[number];
export const DEFAULT_ENC: EncryptionEnc = "A128CBC-HS256";

/** An alg/enc pair a client registered. */
export interface Encryption {
  alg: EncryptionAlg;
  enc: EncryptionEnc;
}

/** The curves ECDH-ES works with here: the NIST curves Workers' WebCrypto derives bits on. */
const ECDH_CURVES = new Set(["P-256", "P-384", "P-521"]);

export function isEncryptionAlg(value: unknown): value is EncryptionAlg {
  return typeof value === "string" && (ENCRYPTION_ALGS as readonly string[]).includes(value);
}

export function isEncryptionEnc(value: unknown): value is EncryptionEnc {
  return typeof value === "string" && (ENCRYPTION_ENCS as readonly string[]).includes(value);
}

/**
 * Whether a client's public key can receive content encrypted with `alg`: meant for
 * encryption (`use` "enc" or no `use`, RFC 7517 §4.2), not pinned to another algorithm
 * (`alg`, §4.4), and of the key type the algorithm needs (RSA for RSA-OAEP-256, an EC
 * key on a NIST curve for ECDH-ES).
 */
export function keyFitsAlg(key: Readonly<Record<string, unknown>>, alg: EncryptionAlg): boolean {
  if (key.use !== undefined && key.use !== "enc") return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (alg === "RSA-OAEP-256") return key.kty === "RSA";
  return key.kty === "EC" && typeof key.crv === "string" && ECDH_CURVES.has(key.crv);
}

/** The first key of `jwks` that fits `alg` (the registered order is the client's preference), or null. */
export function encryptionJwk(jwks: PublicJwks | null, alg: EncryptionAlg): Record<string, unknown> | null {
  return jwks?.keys.find((key) => keyFitsAlg(key, alg)) ?? null;
}

/**
 * What keeps a client from receiving `alg`-encrypted content, as far as its registration
 * shows, or null when nothing does. Keys by reference (`jwks_uri`) are checked when read.
 */
export function encryptionKeysProblem(jwks: PublicJwks | null, jwksUri: string | null, alg: EncryptionAlg): string | null {
  if (jwks === null && jwksUri !== null) return null;
  if (jwks === null) return `${alg} needs the client's public key: register it in jwks or jwks_uri`;
  return encryptionJwk(jwks, alg) === null ? noUsableKey("jwks", alg) : null;
}

/** Why no key of a set fits `alg`: what the set needs. */
export function noUsableKey(where: "jwks" | "jwks_uri", alg: EncryptionAlg): string {
  const kind = alg === "RSA-OAEP-256" ? "an RSA key" : "an EC key on P-256, P-384 or P-521";
  return `${where} has no key usable for ${alg}: it needs ${kind} with use "enc" (or no use) and no other alg`;
}
