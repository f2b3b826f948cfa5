import * as base64url from "jose/base64url";

/**
 * Password hashing: PBKDF2-HMAC-SHA256 through WebCrypto, 100,000 iterations (the
 * most Workers allows), 16-byte random salt, 32-byte key. Chosen over a wasm
 * Argon2id/scrypt because it runs natively (no wasm bundle, no memory-hard cost on
 * a 128 MB isolate) and is FIPS-approved; 100k iterations is below OWASP's 600k for
 * PBKDF2-SHA256, so the verifier is self-describing and can be upgraded on login.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt b64url>$<key b64url>`.
 * Hashing runs in the router isolate, never in a shard, so a shard's single
 * thread is not blocked for the ~tens of milliseconds each derivation costs.
 */
export const PBKDF2_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;
const SCHEME = "pbkdf2-sha256";
export const MAX_PASSWORD_LENGTH = 1024;

const utf8 = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(password.normalize("NFKC")), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  if (typeof password !== "string") throw new TypeError("password must be a string");
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await derive(password, salt, iterations);
  return `${SCHEME}$${iterations}$${base64url.encode(salt)}$${base64url.encode(key)}`;
}

/** Constant-time check of `password` against a stored verifier; false for any malformed verifier. */
export async function verifyPassword(password: string, verifier: string): Promise<boolean> {
  const parts = verifier.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return false;
  const iterations = Number(parts[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  let salt: Uint8Array;
  let expected: Uint8Array;
  try {
    salt = base64url.decode(parts[2]!);
    expected = base64url.decode(parts[3]!);
  } catch {
    return false;
  }
  const actual = await derive(password, salt, iterations);
  return actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected);
}

/**
 * A verifier for unknown accounts, so a login for an email that does not exist
 * costs the same derivation as one that does (no user enumeration by timing).
 *
 * The value is cached, not the promise: no request awaits work another request
 * started (the Workers runtime ties asynchronous work to the request that began it).
 */
let dummyVerifier: string | null = null;
export async function dummyPasswordVerifier(): Promise<string> {
  dummyVerifier ??= await hashPassword("dummy password for unknown accounts");
  return dummyVerifier;
}
