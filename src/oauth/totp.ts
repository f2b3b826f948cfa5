import * as base64url from "jose/base64url";
import { sha256 } from "./secrets";

// TOTP (RFC 6238) codes themselves are in ./totp-codes.ts, loaded when a code is checked (router/lazy.ts).

/** Whether what was typed looks like an app code rather than a recovery code. */
export function looksLikeTotp(input: string): boolean {
  return /^[0-9]{6}$/.test(input);
}

// --- Sealing: TOTP needs the secret itself, so it is stored encrypted, not hashed ---

const utf8 = new TextEncoder();

async function sealingKey(keyBase64url: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", base64url.decode(keyBase64url), "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** AES-256-GCM with the user id as associated data: a sealed secret copied to another user does not open. */
export async function sealTotpSecret(keyBase64url: string, userId: string, secretBase32: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: utf8.encode(userId) }, await sealingKey(keyBase64url), utf8.encode(secretBase32));
  return `v1.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/** The secret, or null if it was sealed for another user or with another key. */
export async function openTotpSecret(keyBase64url: string, userId: string, sealed: string): Promise<string | null> {
  const [version, iv, data] = sealed.split(".");
  if (version !== "v1" || !iv || !data) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv), additionalData: utf8.encode(userId) }, await sealingKey(keyBase64url), base64url.decode(data));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

// --- Recovery codes ---

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Ten codes of 10 characters (about 49 bits each), shown as xxxxx-xxxxx. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter when a recovery code is typed. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, "");
}

export async function recoveryCodeHash(input: string): Promise<string> {
  return sha256(`recovery:${normalizeRecoveryCode(input)}`);
}
