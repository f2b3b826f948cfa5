import type { Env } from "../../env";
import type { Config } from "../../config";
import { openSecret, sealSecret } from "../../oauth/sealed-secret";
import { sha256 } from "../../oauth/secrets";
import { deleteSealedSecret, getSealedSecret, putSealedSecret } from "../d1/sealed-secrets";
import { OAuthError } from "../errors";
import type { RegisteredClient } from "./registry";

/**
 * The secrets of client_secret_jwt clients (RFC 7523 §2.2), sealed at rest
 * (oauth/sealed-secret.ts) and cached sealed per isolate for CLIENT_CACHE_TTL_MS like
 * the registrations, so a /token request makes no D1 query for them. A secret opens
 * only if its SHA-256 is the client's current secret hash: a sealed secret left over
 * from before a rotation, or from a deleted client of the same id, never counts.
 */
const cache = new Map<string, { sealed: string | null; expiresAt: number }>();
const MAX_ENTRIES = 1000;

export const noSecretKey = () =>
  new OAuthError("invalid_request", 400, "token_endpoint_auth_method: client_secret_jwt needs the CLIENT_SECRET_KEY Worker secret (its clients' secrets are kept sealed under it); use private_key_jwt instead");

async function sealedOf(env: Env, config: Config, clientId: string, fresh: boolean): Promise<string | null> {
  const hit = cache.get(clientId);
  if (!fresh && hit && hit.expiresAt > Date.now()) return hit.sealed;
  const sealed = await getSealedSecret(env.DB, clientId);
  cache.delete(clientId);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  if (config.clientCacheTtlMs > 0) cache.set(clientId, { sealed, expiresAt: Date.now() + config.clientCacheTtlMs });
  return sealed;
}

/** The client's secret as HMAC key bytes, or null when none is sealed for its current secret. */
export async function clientSecretKey(env: Env, config: Config, client: RegisteredClient): Promise<Uint8Array | null> {
  if (config.clientSecretKey === null || client.secretHash === null) return null;
  for (const fresh of [false, true]) {
    const sealed = await sealedOf(env, config, client.clientId, fresh);
    const secret = sealed === null ? null : await openSecret(config.clientSecretKey, client.clientId, sealed);
    if (secret !== null && (await sha256(secret)) === client.secretHash) return new TextEncoder().encode(secret);
  }
  return null;
}

/**
 * After a client's secret or method changed (operator API, dynamic registration): seals
 * `secret` for a client_secret_jwt client whose stored hash it matches, and drops the
 * sealed copy of any other client, so that no secret is kept reversibly without need.
 */
export async function syncSealedSecret(env: Env, config: Config, clientId: string, method: string, secret: string | undefined): Promise<void> {
  cache.delete(clientId);
  if (method !== "client_secret_jwt") return deleteSealedSecret(env.DB, clientId);
  if (secret === undefined) return;
  if (config.clientSecretKey === null) throw noSecretKey();
  await putSealedSecret(env.DB, clientId, await sealSecret(config.clientSecretKey, clientId, secret));
}
