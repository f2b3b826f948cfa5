import { env, runInDurableObject } from "cloudflare:test";
import { decodeProtectedHeader } from "jose";
import type { KeyInfo } from "../../src/actors/key-manager/api";
import { loadConfig } from "../../src/config";
import { forgetKeys } from "../../src/router/keys/cache";

export const config = loadConfig(env);

/** The deployment's one KeyManagerActor, as the router addresses it. */
export const keyManager = () => env.KEY_MANAGER.get(env.KEY_MANAGER.idFromName("keys"));

export async function keysIn(state?: KeyInfo["state"]): Promise<KeyInfo[]> {
  const { keys } = await keyManager().listKeys();
  return state ? keys.filter((k) => k.state === state) : keys;
}

/** Runs SQL inside the actor: how tests move its clock (rotation due, retirement over). */
export function sqlInKeyManager(query: string, ...bindings: SqlStorageValue[]): Promise<Record<string, SqlStorageValue>[]> {
  return runInDurableObject(keyManager(), (_instance, state) => state.storage.sql.exec(query, ...bindings).toArray());
}

export const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** Claims a token of ours carries, valid for `ttlS` from now. */
export function claims(ttlS = 600, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: config.issuer, sub: "user-1", aud: "client-1", iat: now, exp: now + ttlS, ...extra };
}

/**
 * Storage persists between the tests of a file: each test starts from an actor with
 * no keys (and this isolate's key cache emptied), as a new deployment would.
 */
export async function resetKeys(): Promise<void> {
  forgetKeys();
  await runInDurableObject(keyManager(), async (_instance, state) => {
    state.storage.sql.exec("DELETE FROM signing_keys");
    state.storage.sql.exec("DELETE FROM rotation");
    await state.storage.deleteAlarm();
  });
}
