import * as base64url from "jose/base64url";

const utf8 = new TextEncoder();

/** SHA-256 of a string, base64url. Used to store tokens, codes, session ids and client secrets. */
export async function sha256(value: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(value))));
}

/**
 * Constant-time string comparison. Both sides are hashed first so the comparison
 * runs over equal lengths and leaks neither content nor length.
 */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", utf8.encode(a)),
    crypto.subtle.digest("SHA-256", utf8.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

/** `bytes` random bytes, base64url (32 bytes = 256 bits by default). */
export function randomToken(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}
