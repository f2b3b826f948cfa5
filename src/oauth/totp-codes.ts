import { Secret, TOTP } from "otpauth";

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
