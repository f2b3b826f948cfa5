import { and, eq } from "drizzle-orm";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { userAccess, users } from "../../../schema/do/user-shard/tables";
import { PER_USER_TABLES } from "../../../schema/do/user-shard/registry";
import type { UserAccess } from "../../oauth/access-policy";
import { fail, ok, type ShardResult } from "../results";
import type { AccessRecord, AccessWrite, AccessWritten } from "./api/access";
import type { ShardTx } from "./db";
import { endAllSessions } from "./logout";
import { appendEvent } from "./outbox";
import { findUser, insertUser, setDisabled, toView } from "./users";

const NO_ACCESS: UserAccess = { roles: [], groups: [], attributes: {} };

function accessRow(tx: ShardTx, bucket: number, userId: string) {
  return tx.select().from(userAccess).where(and(eq(userAccess.userId, userId), eq(userAccess.bucket, bucket))).get();
}

/** The user with roles, groups, attributes and SCIM data; version 0 before the first write. */
export function readAccess(tx: ShardTx, bucket: number, userId: string): ShardResult<AccessRecord> {
  const user = findUser(tx, bucket, userId);
  if (!user) return fail("not_found", "no such user");
  const row = accessRow(tx, bucket, userId);
  const access = row ? { roles: row.roles, groups: row.groups, attributes: row.attributes } : NO_ACCESS;
  return ok({ user: toView(user), access, scim: row?.scim ?? null, version: row?.version ?? 0 });
}

function nextGroups(current: readonly string[], input: AccessWrite): string[] {
  const groups = new Set(input.groups ?? current);
  for (const id of input.addGroups ?? []) groups.add(id);
  for (const id of input.removeGroups ?? []) groups.delete(id);
  return [...groups];
}

function applyProfile(tx: ShardTx, input: AccessWrite, now: number): void {
  const p = input.profile;
  if (p === undefined) return;
  tx.update(users).set({ ...p, updatedAt: now }).where(and(eq(users.id, input.userId), eq(users.bucket, input.bucket))).run();
}

/** active=false disables the user and ends every session (and with them the grants); active=true enables again. */
function applyActive(tx: ShardTx, input: AccessWrite, disabled: boolean, now: number): void {
  if (input.active === false && !disabled) {
    setDisabled(tx, input.bucket, input.userId, now);
    endAllSessions(tx, input.bucket, input.userId, { survivingClients: [], initiator: "user_disabled", clientId: null }, now);
  } else if (input.active === true && disabled) {
    tx.update(users).set({ disabled: false, updatedAt: now }).where(eq(users.id, input.userId)).run();
    appendEvent(tx, { bucket: input.bucket, type: "user.enabled", userId: input.userId, data: { by: input.actor } }, now);
  }
}

/** See AccessWrite: one change, audited as access.changed with what changed. */
export function writeAccess(tx: ShardTx, input: AccessWrite, now: number): ShardResult<AccessWritten> {
  if (input.create !== undefined) {
    const created = insertUser(tx, input.create, now);
    if (!created.ok) return created;
  }
  const user = findUser(tx, input.bucket, input.userId);
  if (!user) return fail("not_found", "no such user");
  const row = accessRow(tx, input.bucket, input.userId);
  const version = row?.version ?? 0;
  if (input.ifVersion !== undefined && input.ifVersion !== version) return ok({ stale: true as const, version });
  applyProfile(tx, input, now);
  applyActive(tx, input, user.disabled, now);
  const next = {
    roles: [...new Set(input.roles ?? row?.roles ?? [])],
    groups: nextGroups(row?.groups ?? [], input),
    attributes: input.attributes ?? row?.attributes ?? {},
    scim: input.scim === undefined ? (row?.scim ?? null) : input.scim,
    version: version + 1,
    updatedAt: now,
  };
  tx.insert(userAccess).values({ userId: input.userId, bucket: input.bucket, ...next }).onConflictDoUpdate({ target: userAccess.userId, set: next }).run();
  const changed = Object.keys(input).filter((k) => !["bucket", "userId", "ifVersion", "actor"].includes(k));
  appendEvent(tx, { bucket: input.bucket, type: "access.changed", userId: input.userId, data: { by: input.actor, changed, roles: next.roles, groups: next.groups } }, now);
  const fresh = findUser(tx, input.bucket, input.userId)!;
  return ok({ stale: false as const, user: toView(fresh), access: { roles: next.roles, groups: next.groups, attributes: next.attributes }, scim: next.scim, version: next.version });
}

/**
 * Directory-managed roles (LDAP_GROUP_ROLES): the roles the directory gave last time
 * (`previous`, kept in ldap_links.roles) are replaced by the ones it gives now; roles an
 * operator or SCIM gave directly stay. A role both gave goes when the directory drops it.
 * Written only when the set changes (a version bump, audited as access.changed by ldap).
 */
export function replaceDirectoryRoles(tx: ShardTx, bucket: number, userId: string, previous: readonly string[], next: readonly string[], now: number): void {
  const row = accessRow(tx, bucket, userId);
  const current = row?.roles ?? [];
  const dropped = new Set(previous);
  const roles = [...new Set([...current.filter((r) => !dropped.has(r)), ...next])];
  if (roles.length === current.length && roles.every((r) => current.includes(r))) return;
  const version = (row?.version ?? 0) + 1;
  const values = { roles, groups: row?.groups ?? [], attributes: row?.attributes ?? {}, scim: row?.scim ?? null, version, updatedAt: now };
  tx.insert(userAccess).values({ userId, bucket, ...values }).onConflictDoUpdate({ target: userAccess.userId, set: { roles, version, updatedAt: now } }).run();
  appendEvent(tx, { bucket, type: "access.changed", userId, data: { by: "ldap", changed: ["roles"], roles, groups: values.groups } }, now);
}

/** Per-user tables with a user_id column, but the outbox: the user's audit events outlive the user. */
const USER_ROW_TABLES = PER_USER_TABLES.map((t) => t.name).filter((name) => {
  if (name === "outbox") return false;
  const entry = PER_USER_TABLES.find((t) => t.name === name)!;
  return getTableConfig(entry.table as SQLiteTable).columns.some((c) => c.name === "user_id");
});

/**
 * Deletes a user (SCIM DELETE): every session and grant ends first (clients are told),
 * then every row of the user in every per-user table goes (the registry lists them all). Returns the email and groups so the router can drop the
 * global index entries that pointed here.
 */
export function deleteUser(tx: ShardTx, sql: SqlStorage, bucket: number, userId: string, actor: string, now: number): ShardResult<{ email: string; groups: string[] }> {
  const user = findUser(tx, bucket, userId);
  if (!user) return fail("not_found", "no such user");
  const groups = accessRow(tx, bucket, userId)?.groups ?? [];
  endAllSessions(tx, bucket, userId, { survivingClients: [], initiator: "user_disabled", clientId: null }, now);
  for (const name of USER_ROW_TABLES) sql.exec(`DELETE FROM "${name}" WHERE user_id = ? AND bucket = ?`, userId, bucket);
  tx.delete(users).where(and(eq(users.id, userId), eq(users.bucket, bucket))).run();
  appendEvent(tx, { bucket, type: "user.deleted", userId, data: { by: actor } }, now);
  return ok({ email: user.email, groups });
}
