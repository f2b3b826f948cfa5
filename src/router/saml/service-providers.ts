import type { Config } from "../../config";
import type { Env } from "../../env";
import { getSamlSpRow, type SamlSpRow } from "../d1/saml-service-providers";

interface Entry {
  sp: SamlSpRow | null;
  expiresAt: number;
}

const MAX_ENTRIES = 200;
/** Unknown entity IDs are remembered briefly: a newly registered SP shows up soon, made-up ones cost one read per 5 s each. */
const NEGATIVE_TTL_MS = 5_000;
const entries = new Map<string, Entry>();
let generation = 0;

/**
 * The registered SP named `entityId`, or null. Cached per isolate for CLIENT_CACHE_TTL_MS
 * like client registrations; operator changes apply at once in the isolate that made them.
 */
export async function getServiceProvider(env: Env, config: Config, entityId: string): Promise<SamlSpRow | null> {
  if (entityId.length === 0 || entityId.length > 1024) return null;
  const hit = entries.get(entityId);
  if (hit && hit.expiresAt > Date.now()) return hit.sp;
  const started = generation;
  const row = await getSamlSpRow(env.DB, entityId);
  const sp = row ? Object.freeze(row) : null;
  const ttl = sp ? config.clientCacheTtlMs : Math.min(config.clientCacheTtlMs, NEGATIVE_TTL_MS);
  if (ttl > 0 && started === generation) {
    entries.delete(entityId);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(entityId, { sp, expiresAt: Date.now() + ttl });
  }
  return sp;
}

/** Drops one SP (or all) from this isolate's cache: after an operator change, and in tests. */
export function forgetServiceProvider(entityId?: string): void {
  generation++;
  if (entityId === undefined) entries.clear();
  else entries.delete(entityId);
}
