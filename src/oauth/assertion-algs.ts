/**
 * The JWS algorithms a client or trusted issuer may sign assertions and request
 * objects with (RFC 7523 §3 item 9 leaves the choice to the server): ES256, RS256,
 * PS256 (RFC 7518 §3.4, §3.3, §3.5) and EdDSA (RFC 8037 §3.1). No `none` and no
 * HMAC: an unsigned object proves nothing, and HS256 would need the client's secret,
 * of which only a hash is stored.
 */
export const ASSERTION_ALGS = ["ES256", "RS256", "PS256", "EdDSA"] as const;
export type AssertionAlg = (typeof ASSERTION_ALGS)[number];

export function isAssertionAlg(value: unknown): value is AssertionAlg {
  return typeof value === "string" && (ASSERTION_ALGS as readonly string[]).includes(value);
}
