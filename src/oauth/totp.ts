import { base64url } from "jose";
import { Secret, TOTP } from "otpauth";
import { sha256 } from "./secrets";

/**
 * TOTP (RFC 6238) with the parameters every authenticator app understands: HMAC-SHA-1,
 * 6 digits, 30-second steps (§4, §5.2's recommended step), a 160-bit secret (RFC 4226 §4).
 */
export const TOTP_PERIOD_S = 30;
const DIGITS = 6;
/** RFC 6238 §5.2: one step either side absorbs clock drift and typing time. */
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (Key Uri Format). */
export function totpUri(secretBase32: string, issuer: string, account: string): string {
  const totp = new TOTP({ issuer, label: account, secret: Secret.fromBase32(secretBase32), digits: DIGITS, period: TOTP_PERIOD_S, algorithm: "SHA1" });
  return totp.toString();
}

/** The time step (RFC 6238 §4.2 T) of an instant. */
export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/** The code for a step: what the user's app shows then (tests compute codes the same way). */
export function totpCode(secretBase32: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), digits: DIGITS, period: TOTP_PERIOD_S, timestamp: step * TOTP_PERIOD_S * 1000 });
}

/**
 * The step a code belongs to, within ±1 step of now, or null. The shard then refuses a
 * step at or before the last one accepted, which makes each code single use.
 */
export function matchingStep(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secretBase32), digits: DIGITS, period: TOTP_PERIOD_S, timestamp: nowMs, window: WINDOW });
  return delta === null ? null : stepAt(nowMs) + delta;
}

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
