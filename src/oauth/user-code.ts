import { BUCKET_COUNT, fnv1a32 } from "../shard/bucket";

/**
 * RFC 8628 §6.1 user codes: 8 characters from 20 consonants (no vowels, so no words;
 * no look-alike digits), shown as `WDJB-MJHT`. The code space is 20^8 ≈ 2.56e10.
 */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
export const USER_CODE_LENGTH = 8;

/** A fresh user code, uniformly drawn (rejection sampling keeps the modulo unbiased). */
export function newUserCode(): string {
  const limit = 256 - (256 % USER_CODE_ALPHABET.length);
  let code = "";
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      if (byte < limit && code.length < USER_CODE_LENGTH) code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
    }
  }
  return code;
}

/** `WDJBMJHT` → `WDJB-MJHT`, how the page and the device show it. */
export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed, as stored: upper case, dashes and spaces dropped (RFC 8628
 * §6.1 asks to be lenient about both); null when it cannot be a user code.
 */
export function normalizeUserCode(typed: string): string | null {
  if (typed.length > 64) return null;
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/**
 * The bucket of a pending device request: a person's typed code cannot carry one, so
 * it is the hash of the normalized user code (the same FNV-1a as bucketOf), and the
 * device code carries the same bucket — both keys route to the one row.
 */
export function bucketOfUserCode(normalized: string): number {
  return fnv1a32(`device:${normalized}`) % BUCKET_COUNT;
}
