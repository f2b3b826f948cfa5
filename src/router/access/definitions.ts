import type { Env } from "../../env";
import type { Config } from "../../config";
import type { AccessClaim, GroupDefinition, RoleDefinition } from "../../oauth/access-policy";
import { StaleWhileRefresh } from "../stale-while-refresh";
import { noteD1 } from "../observability/trace";
import { inD1 } from "../d1/unavailable";

/** Which access claims a client gets where (client_access_claims). */
export interface ClientAccessClaims {
  idToken: readonly AccessClaim[];
  accessToken: readonly AccessClaim[];
  userinfo: readonly AccessClaim[];
}

/** Every role, group and client claim setting: small and global, read whole into the isolate. */
export interface AccessDefinitions {
  roles: ReadonlyMap<string, RoleDefinition>;
  groups: ReadonlyMap<string, GroupDefinition>;
  claims: ReadonlyMap<string, ClientAccessClaims>;
}

type Json = string | null;

function parseJson<T>(raw: Json, fallback: T): T {
  if (raw === null) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

/** One D1 batch: roles with their permissions, groups, client claim settings. */
export async function loadDefinitions(db: D1Database): Promise<AccessDefinitions> {
  const [roles, permissions, groups, claims] = await db.batch([
    db.prepare("SELECT name, client_id, condition FROM roles"),
    db.prepare("SELECT role_name, permission FROM role_permissions"),
    db.prepare("SELECT id, display_name, roles FROM access_groups"),
    db.prepare("SELECT client_id, id_token, access_token, userinfo FROM client_access_claims"),
  ]);
  const perms = new Map<string, string[]>();
  for (const p of permissions!.results as { role_name: string; permission: string }[]) perms.set(p.role_name, [...(perms.get(p.role_name) ?? []), p.permission]);
  const roleMap = new Map<string, RoleDefinition>();
  const rows = roles!.results as { name: string; client_id: string | null; condition: Json }[];
  // The schema loads only when some role has a condition (../lazy.ts).
  const schema = rows.some((r) => r.condition !== null) ? await import("../../oauth/access-condition") : null;
  for (const r of rows) {
    // A condition that no longer parses denies the role rather than granting it unconditionally.
    const parsed = r.condition === null || !schema ? null : schema.parseCondition(parseJson(r.condition, null));
    const condition = parsed === null ? null : parsed.ok ? parsed.condition : { not: { attribute: "email", present: true as const } };
    roleMap.set(r.name, { name: r.name, clientId: r.client_id, permissions: perms.get(r.name) ?? [], condition: condition ? condition : null });
  }
  const groupMap = new Map<string, GroupDefinition>();
  for (const g of groups!.results as { id: string; display_name: string; roles: Json }[]) groupMap.set(g.id, { id: g.id, displayName: g.display_name, roles: parseJson(g.roles, []) });
  const claimMap = new Map<string, ClientAccessClaims>();
  for (const c of claims!.results as { client_id: string; id_token: Json; access_token: Json; userinfo: Json }[]) {
    claimMap.set(c.client_id, { idToken: parseJson(c.id_token, []), accessToken: parseJson(c.access_token, []), userinfo: parseJson(c.userinfo, []) });
  }
  return { roles: roleMap, groups: groupMap, claims: claimMap };
}

// Per isolate, like client registrations: the hot paths read roles from here, never from D1
// (only the isolate's first issuance, or one after forgetAccessDefinitions, awaits the batch).
let cached: { value: AccessDefinitions; fetchedAt: number; generation: number } | null = null;
let generation = 0;
const refresher = new StaleWhileRefresh();

async function fetchAndKeep(env: Env): Promise<AccessDefinitions> {
  const started = generation;
  noteD1(4);
  const value = await inD1("role definitions", () => loadDefinitions(env.DB));
  // A change made while this read ran must not be hidden for a whole TTL.
  if (started === generation) cached = { value, fetchedAt: Date.now(), generation: started };
  return value;
}

/**
 * The definitions, from the isolate's cache (stale ones are served while one refresh runs).
 * After a change in this isolate the next caller reads them again; if D1 is down then, the
 * previous definitions still serve (as a cold isolate's first issuance, without any, is a 503).
 */
export async function accessDefinitions(env: Env, config: Config): Promise<AccessDefinitions> {
  const now = Date.now();
  if (cached !== null && cached.generation === generation) {
    if (!refresher.isFresh(cached.fetchedAt, config.clientCacheTtlMs, now)) {
      refresher.refreshInBackground(now, () => fetchAndKeep(env), (error) => console.error(JSON.stringify({ level: "warn", event: "access.refresh_failed", error: String(error) })));
    }
    return cached.value;
  }
  const previous = cached;
  try {
    return await refresher.refresh(now, () => fetchAndKeep(env));
  } catch (error) {
    if (previous === null) throw error;
    return previous.value;
  }
}

/** After an operator or SCIM change: this isolate reads the definitions again (others within the TTL). */
export function forgetAccessDefinitions(): void {
  generation++;
  refresher.reset();
}
