/** The JWS algorithms the provider signs with (RFC 7518 §3.4 ES256, §3.3 RS256): ES256 by default, RS256 for clients that ask. */
export const SIGNING_ALGS = ["ES256", "RS256"] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export function isSigningAlg(value: unknown): value is SigningAlg {
  return value === "ES256" || value === "RS256";
}
