/** The bindings that count requests (wrangler.jsonc `ratelimits`, one namespace each). */
export type LimitBinding = "LIMIT_TOKEN_IP" | "LIMIT_TOKEN_CLIENT" | "LIMIT_AUTHORIZE_IP" | "LIMIT_FORM_IP" | "LIMIT_ADMIN";

/**
 * One rate limit: which binding counts, and its period. What it counts per (an
 * address, a client, an operator token) is up to where it is enforced. How
 * many requests a period allows is the binding's `limit` in wrangler.jsonc; the
 * worker cannot read it, nor the period, so the period is repeated here for
 * Retry-After (test/architecture/rate-limit-rules.test.ts keeps the two equal).
 * No imports: that test reads this file from Node.
 */
export interface RateLimitRule {
  readonly binding: LimitBinding;
  /** The binding's window in seconds (10 or 60): the longest a refused caller has to wait. */
  readonly periodS: 10 | 60;
  /** What was counted, for the refusal's message: "… from this address". */
  readonly what: string;
}

/** /token, /revoke and /introspect by client address, counted before client authentication. */
export const TOKEN_IP: RateLimitRule = { binding: "LIMIT_TOKEN_IP", periodS: 60, what: "token requests from this address" };

/** The same endpoints per authenticated client, wherever its requests come from. */
export const TOKEN_CLIENT: RateLimitRule = { binding: "LIMIT_TOKEN_CLIENT", periodS: 60, what: "token requests by this client" };

/** The pages a browser walks through: /authorize, the consent form, /logout. */
export const PAGES_IP: RateLimitRule = { binding: "LIMIT_AUTHORIZE_IP", periodS: 60, what: "sign-in requests from this address" };

/** Forms that check a credential (the login form): each costs a password derivation. */
export const CREDENTIAL_FORMS_IP: RateLimitRule = { binding: "LIMIT_FORM_IP", periodS: 60, what: "sign-in attempts from this address" };

/** The operator API per operator token, counted once the token is accepted. */
export const OPERATOR: RateLimitRule = { binding: "LIMIT_ADMIN", periodS: 60, what: "operator API requests with this token" };

/** SCIM provisioning (/scim/v2) per provisioning token: the operator limit's binding, a counter of its own per SCIM client. */
export const SCIM_CLIENT: RateLimitRule = { binding: "LIMIT_ADMIN", periodS: 60, what: "SCIM requests with this provisioning token" };

export const RULES: readonly RateLimitRule[] = [TOKEN_IP, TOKEN_CLIENT, PAGES_IP, CREDENTIAL_FORMS_IP, OPERATOR];
