/**
 * Emails are compared in one normal form: trimmed, Unicode NFC, lower-cased.
 * (Lower-casing the local part is not RFC 5321-exact, but it is what every large
 * identity provider does; two accounts differing only in case are a support burden
 * and a phishing aid.)
 */
export const MAX_EMAIL_LENGTH = 254;
const SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;

export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().normalize("NFC").toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !SHAPE.test(email)) return null;
  return email;
}
