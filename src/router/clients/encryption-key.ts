import { importJWK, type CryptoKey } from "jose";
import type { Env } from "../../env";
import { encryptionJwk, encryptionKeysProblem, type EncryptionAlg } from "../../oauth/encryption-alg";
import type { PublicJwks } from "../../oauth/jwks";
import type { RegisteredClient } from "./registry";

/** The client's public key to encrypt to, and its `kid` for the JWE header (RFC 7516 §4.1.6). */
export interface EncryptionKey {
  key: CryptoKey;
  kid: string | undefined;
}

// Imported keys per registration: a registration is a frozen object that the registry
// replaces when it changes, so a WeakMap keyed by it forgets old keys with the old
// registration and never serves a key the client has since replaced. Resolved keys
// are kept, not promises: a promise tied to one request's I/O may die with it.
const imported = new WeakMap<RegisteredClient, Map<EncryptionAlg, EncryptionKey>>();

/**
 * The key to encrypt `alg` content for `client` to: the first key of its registered
 * `jwks` (by value) that fits the algorithm. Registration guarantees one exists and
 * imports, so this throws only for a registration edited by hand.
 *
 * `jwks_uri` is not read here yet: registration refuses encryption for a client with
 * only a `jwks_uri` (README, "Encrypted ID tokens and UserInfo"). Fetching it belongs
 * in the shared resolver of a client's keys; this function is the one place to plug it in.
 */
export async function encryptionKeyFor(_env: Env, client: RegisteredClient, alg: EncryptionAlg): Promise<EncryptionKey> {
  const known = imported.get(client)?.get(alg);
  if (known) return known;
  const problem = encryptionKeysProblem(client.jwks, client.jwksUri, alg);
  if (problem !== null) throw new Error(`client ${client.clientId}: ${problem}`);
  const resolved = await importEncryptionKey(client.jwks, alg);
  const perAlg = imported.get(client) ?? new Map<EncryptionAlg, EncryptionKey>();
  perAlg.set(alg, resolved);
  imported.set(client, perAlg);
  return resolved;
}

async function importEncryptionKey(jwks: PublicJwks | null, alg: EncryptionAlg): Promise<EncryptionKey> {
  const jwk = encryptionJwk(jwks, alg);
  if (jwk === null) throw new Error(`no key usable for ${alg}`);
  const key = await importJWK({ ...jwk, alg }, alg);
  return { key: key as CryptoKey, kid: typeof jwk.kid === "string" ? jwk.kid : undefined };
}

/**
 * What registration says when the key that would be chosen for `alg` does not import
 * (a modulus that is not base64url, a point off the curve): checked when the client
 * registers, so tokens are never issued and then found unencryptable.
 */
export async function encryptionKeyImportProblem(jwks: PublicJwks | null, jwksUri: string | null, alg: EncryptionAlg): Promise<string | null> {
  const problem = encryptionKeysProblem(jwks, jwksUri, alg);
  if (problem !== null) return problem;
  try {
    await importEncryptionKey(jwks, alg);
    return null;
  } catch {
    return `the jwks key chosen for ${alg} is not a valid public key`;
  }
}
