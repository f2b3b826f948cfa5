import { noteD1 } from "../observability/trace";
import type { Env } from "../../env";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";

/**
 * The ids of the clients whose offline_access families survive logout
 * (offline_survives_logout). Ending a session revokes the grants bound to it in
 * the user's shard, but the shard knows no client settings, and the router cannot
 * cheaply know which clients a session touched. So the router hands the shard the
 * whole (short: an opt-in list) set, read from D1 once per isolate and kept for
 * the client cache's TTL. Logout is not a hot path: one cached D1 read is fine.
 *
 * The client that asked for the logout (from id_token_hint or client_id) is read
 * through the client registry, which reflects operator changes made in this
 * isolate at once; its own setting therefore always wins over the cached list.
 *
 * Logout must work while D1 is down: a person signing out on a shared computer is
 * not told to come back later. The isolate then uses the list it read last, however
 * old; with none, only the asking client's own setting — so other opted-in clients'
 * offline families in that session end, as every client's do by default. Erring
 * that way costs an application a new sign-in; erring the other way would leave
 * tokens alive that the person meant to end.
 */
let cached: { ids: readonly string[]; expiresAt: number } | null = null;

/** Far above any realistic opt-in list; the read stays bounded whatever is stored. */
const MAX_SURVIVING = 10_000;

async function readSurviving(d1: D1Database): Promise<readonly string[]> {
  const { results } = await d1
    .prepare("SELECT client_id FROM clients WHERE offline_survives_logout = 1 LIMIT ?")
    .bind(MAX_SURVIVING)
    .all<{ client_id: string }>();
  return Object.freeze(results.map((r) => r.client_id));
}

export async function survivingClients(env: Env, config: Config, asking: RegisteredClient | null): Promise<string[]> {
  let ids: readonly string[];
  if (cached && cached.expiresAt > Date.now()) {
    ids = cached.ids;
  } else {
    // Not shared between concurrent requests: a promise tied to another request's I/O can be cancelled with it.
    noteD1();
    try {
      ids = await readSurviving(env.DB);
      if (config.clientCacheTtlMs > 0) cached = { ids, expiresAt: Date.now() + config.clientCacheTtlMs };
    } catch (error) {
      ids = cached?.ids ?? [];
      console.warn(`logout: D1 unreachable; offline-survivor list ${cached ? "as read before" : "unknown, none spared but the asking client's"}`, String(error));
    }
  }
  const set = new Set(ids);
  if (asking) {
    if (asking.offlineSurvivesLogout) set.add(asking.clientId);
    else set.delete(asking.clientId);
  }
  return [...set];
}
