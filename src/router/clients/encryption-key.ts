import { importJWK } from "jose/key/import";
import type { CryptoKey } from "jose";
import type { Env } from "../../env";
import { encryptionJwk, encryptionKeysProblem, noUsableKey, type EncryptionAlg } from "../../oauth/encryption-alg";
import type { PublicJwks } from "../../oauth/jwks";
import { invalidRequest, temporarilyUnavailable } from "../errors";
import { jwksFromUri } from "./client-keys";
import type { RegisteredClient } from "./registry";

/** The client's public key to encrypt to, and its `kid` for the JWE header (RFC 7516 §4.1.6). */
export interface EncryptionKey {
  key: CryptoKey;
  kid: string | undefined;
}

// Imported keys per registration: a registration is a frozen object that the registry
// replaces when it changes (and re-reads every CLIENT_CACHE_TTL_MS), so a WeakMap keyed
// by it forgets old keys with the old registration and never serves a key the client
// has since replaced. Resolved keys are kept, not promises: a promise tied to one
// request's I/O may die with it.
const imported = new WeakMap<RegisteredClient, Map<EncryptionAlg, EncryptionKey>>();

/** Seconds a client should wait before retrying when its jwks_uri could not be read. */
const KEYS_RETRY_AFTER_S = 10;

/**
 * The key to encrypt `alg` content for `client` to: the first key that fits the
 * algorithm in its registered `jwks`, or else in the set at its `jwks_uri` (read and
 * cached per isolate with the keys that verify its signatures, client-keys.ts). Keys by value were checked at
 * registration; keys by reference can fail here: 503 when they cannot be read, 400
 * invalid_request when they hold no usable key.
 */
export async function encryptionKeyFor(_env: Env, client: RegisteredClient, alg: EncryptionAlg): Promise<EncryptionKey> {
  const known = imported.get(client)?.get(alg);
  if (known) return known;
  const resolved = await resolveKey(client, alg);
  const perAlg = imported.get(client) ?? new Map<EncryptionAlg, EncryptionKey>();
  perAlg.set(alg, resolved);
  imported.set(client, perAlg);
  return resolved;
}

/**
 * Makes sure the ID token of `client` can be encrypted, before a grant's shard call
 * spends a code or rotates a refresh token: a key that cannot be read then fails the
 * request while the client can still retry it.
 */
export async function prepareIdTokenEncryption(env: Env, client: RegisteredClient): Promise<void> {
  if (client.idTokenEncryption !== null) await encryptionKeyFor(env, client, client.idTokenEncryption.alg);
}

async function resolveKey(client: RegisteredClient, alg: EncryptionAlg): Promise<EncryptionKey> {
  if (client.jwks !== null) {
    const problem = encryptionKeysProblem(client.jwks, null, alg);
    if (problem !== null) throw new Error(`client ${client.clientId}: ${problem}`);
    return importEncryptionKey(client.jwks, alg);
  }
  if (client.jwksUri === null) throw new Error(`client ${client.clientId}: ${alg} needs keys and it has none`);
  const fetched = await jwksFromUri(client.jwksUri);
  if (!fetched.ok) throw temporarilyUnavailable("the client's encryption key could not be read from its jwks_uri", KEYS_RETRY_AFTER_S, fetched.why);
  if (encryptionJwk(fetched.jwks, alg) === null) throw invalidRequest(`the client's ${noUsableKey("jwks_uri", alg)}`);
  try {
    return await importEncryptionKey(fetched.jwks, alg);
  } catch {
    throw invalidRequest(`the key at the client's jwks_uri chosen for ${alg} is not a valid public key`);
  }
}

async function importEncryptionKey(jwks: PublicJwks, alg: EncryptionAlg): Promise<EncryptionKey> {
  const jwk = encryptionJwk(jwks, alg);
  if (jwk === null) throw new Error(`no key usable for ${alg}`);
  const key = await importJWK({ ...jwk, alg }, alg);
  return { key: key as CryptoKey, kid: typeof jwk.kid === "string" ? jwk.kid : undefined };
}

/**
 * What registration says when the client's keys cannot receive `alg`: none fits, the
 * one that would be chosen does not import (a point off its curve), or its jwks_uri
 * cannot be read or holds no usable key. Checked when the client registers, so tokens
 * are not issued and then found unencryptable.
 */
export async function encryptionKeyImportProblem(jwks: PublicJwks | null, jwksUri: string | null, alg: EncryptionAlg): Promise<string | null> {
  const problem = encryptionKeysProblem(jwks, jwksUri, alg);
  if (problem !== null) return problem;
  let set = jwks;
  if (set === null && jwksUri !== null) {
    const fetched = await jwksFromUri(jwksUri);
    if (!fetched.ok) return fetched.why;
    if (encryptionJwk(fetched.jwks, alg) === null) return noUsableKey("jwks_uri", alg);
    set = fetched.jwks;
  }
  try {
    await importEncryptionKey(set!, alg);
    return null;
  } catch {
    return `the ${jwks === null ? "jwks_uri" : "jwks"} key chosen for ${alg} is not a valid public key`;
  }
}
