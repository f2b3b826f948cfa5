/**
 * JSON Web Key Sets (RFC 7517 §5) that must hold public keys only: a client's `jwks`
 * (RFC 7591 §2) and the keys that sign software statements (RFC 7591 §2.3). A private
 * key that reaches us by mistake is refused, never stored: keeping it would make us
 * the holder of someone else's secret.
 */
export interface PublicJwks {
  keys: Record<string, unknown>[];
}

/** Key types with a public half (RFC 7518 §6, RFC 8037 §2); `oct` is a shared secret. */
const PUBLIC_KEY_TYPES = new Set(["EC", "RSA", "OKP"]);
/** Members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
/** Members each public key type needs to be usable at all. */
const REQUIRED_MEMBERS: Record<string, string[]> = { EC: ["crv", "x", "y"], RSA: ["n", "e"], OKP: ["crv", "x"] };
export const MAX_JWKS_KEYS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What is wrong with one key, or null. */
function keyProblem(key: unknown): string | null {
  if (!isRecord(key)) return "must be a JSON object";
  const kty = key.kty;
  if (typeof kty !== "string") return "needs kty";
  if (!PUBLIC_KEY_TYPES.has(kty)) return `kty ${JSON.stringify(kty)} is not a public key type (EC, RSA or OKP)`;
  const secret = PRIVATE_MEMBERS.find((m) => m in key);
  if (secret !== undefined) return `holds private key material (${secret}); register public keys only`;
  const missing = REQUIRED_MEMBERS[kty]!.find((m) => typeof key[m] !== "string");
  if (missing !== undefined) return `needs ${missing} (a ${kty} public key)`;
  if (key.kid !== undefined && typeof key.kid !== "string") return "kid must be a string";
  return null;
}

/** What is wrong with one key as a public JWK (a DPoP proof's `jwk` header, RFC 9449 §4.2), or null. */
export const publicJwkProblem = keyProblem;

/** What is wrong with `value` as a set of public keys, or null when it is one. */
export function publicJwksProblem(value: unknown): string | null {
  if (!isRecord(value) || !Array.isArray(value.keys)) return 'must be a JWK Set: {"keys": [...]}';
  if (value.keys.length === 0) return "must hold at least one key";
  if (value.keys.length > MAX_JWKS_KEYS) return `holds more than ${MAX_JWKS_KEYS} keys`;
  for (const [i, key] of value.keys.entries()) {
    const problem = keyProblem(key);
    if (problem) return `keys[${i}] ${problem}`;
  }
  return null;
}

/** `value` as a public JWK Set, or null when publicJwksProblem finds anything wrong. */
export function asPublicJwks(value: unknown): PublicJwks | null {
  return publicJwksProblem(value) === null ? (value as PublicJwks) : null;
}
