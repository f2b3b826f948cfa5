/**
 * Authentication context classes this provider produces (OIDC Core §2 `acr`), and the
 * authentication methods behind them (RFC 8176 §2 `amr` values).
 */

/** A password alone (the value sessions have always carried). */
export const ACR_PASSWORD = "1";
/** A password and a second factor (TOTP or a recovery code). */
export const ACR_MFA = "urn:authshard:acr:mfa";

/** RFC 8176 §2: pwd (password), otp (one-time password), mfa (more than one factor). */
export const AMR_PASSWORD = ["pwd"] as const;
export const AMR_MFA = ["pwd", "otp", "mfa"] as const;

/**
 * Whether requested acr values (acr_values, or an essential acr claim) can only be met by
 * the second factor: they name the MFA class and not the password one.
 */
export function asksForMfa(values: readonly string[] | null | undefined): boolean {
  return !!values && values.includes(ACR_MFA) && !values.includes(ACR_PASSWORD);
}
