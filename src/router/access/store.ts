import type { AccessClaim, Condition } from "../../oauth/access-policy";
import { forgetAccessDefinitions } from "./definitions";

/** D1 reads and writes of role and group definitions and client claim settings (operator API, SCIM). */

export interface RoleInput {
  name: string;
  description: string | null;
  clientId: string | null;
  permissions: string[];
  condition: Condition | null;
}

/** Creates or replaces a role and its permission set in one batch. */
export async function putRole(db: D1Database, role: RoleInput): Promise<void> {
  const now = Date.now();
  await db.batch([
    db
      .prepare(
        "INSERT INTO roles (name, description, client_id, condition, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) " +
          "ON CONFLICT (name) DO UPDATE SET description = ?2, client_id = ?3, condition = ?4, updated_at = ?5",
      )
      .bind(role.name, role.description, role.clientId, role.condition === null ? null : JSON.stringify(role.condition), now),
    db.prepare("DELETE FROM role_permissions WHERE role_name = ?").bind(role.name),
    ...role.permissions.map((p) => db.prepare("INSERT INTO role_permissions (role_name, permission) VALUES (?, ?)").bind(role.name, p)),
  ]);
  forgetAccessDefinitions();
}

export async function deleteRole(db: D1Database, name: string): Promise<boolean> {
  const [, deleted] = await db.batch([db.prepare("DELETE FROM role_permissions WHERE role_name = ?").bind(name), db.prepare("DELETE FROM roles WHERE name = ?").bind(name)]);
  forgetAccessDefinitions();
  return (deleted!.meta.changes ?? 0) > 0;
}

export async function listRoles(db: D1Database) {
  const [roles, perms] = await db.batch([
    db.prepare("SELECT name, description, client_id, condition FROM roles ORDER BY name"),
    db.prepare("SELECT role_name, permission FROM role_permissions ORDER BY permission"),
  ]);
  const byRole = new Map<string, string[]>();
  for (const p of perms!.results as { role_name: string; permission: string }[]) byRole.set(p.role_name, [...(byRole.get(p.role_name) ?? []), p.permission]);
  return (roles!.results as { name: string; description: string | null; client_id: string | null; condition: string | null }[]).map((r) => ({
    name: r.name,
    description: r.description,
    client_id: r.client_id,
    permissions: byRole.get(r.name) ?? [],
    condition: r.condition === null ? null : (JSON.parse(r.condition) as unknown),
  }));
}

/** Role names among `names` that are not defined. */
export async function unknownRoles(db: D1Database, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db.prepare(`SELECT name FROM roles WHERE name IN (${names.map(() => "?").join(",")})`).bind(...names).all<{ name: string }>();
  const known = new Set(rows.results.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

export async function putClientClaims(db: D1Database, clientId: string, claims: { id_token: AccessClaim[]; access_token: AccessClaim[]; userinfo: AccessClaim[] }): Promise<void> {
  await db
    .prepare(
      "INSERT INTO client_access_claims (client_id, id_token, access_token, userinfo, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) " +
        "ON CONFLICT (client_id) DO UPDATE SET id_token = ?2, access_token = ?3, userinfo = ?4, updated_at = ?5",
    )
    .bind(clientId, JSON.stringify(claims.id_token), JSON.stringify(claims.access_token), JSON.stringify(claims.userinfo), Date.now())
    .run();
  forgetAccessDefinitions();
}
