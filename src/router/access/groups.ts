import type { Env } from "../../env";
import type { Config } from "../../config";
import { bucketOf } from "../../shard/bucket";
import { randomToken } from "../../oauth/secrets";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { notFound, OAuthError } from "../errors";
import { forgetAccessDefinitions } from "./definitions";

/** A group as D1 holds it (access_groups); version is its SCIM ETag. */
export interface GroupRecord {
  id: string;
  displayName: string;
  externalId: string | null;
  roles: string[];
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  roles: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = "id, display_name, external_id, roles, version, created_at, updated_at";

function toRecord(r: GroupRow): GroupRecord {
  return { id: r.id, displayName: r.display_name, externalId: r.external_id, roles: JSON.parse(r.roles) as string[], version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** A new group, or null when its display name is taken (display names are unique). */
export async function createGroup(db: D1Database, input: { displayName: string; externalId: string | null; roles: string[] }): Promise<GroupRecord | null> {
  const now = Date.now();
  const row = await db
    .prepare(`INSERT INTO access_groups (${COLUMNS}) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (display_name) DO NOTHING RETURNING ${COLUMNS}`)
    .bind(randomToken(16), input.displayName, input.externalId, JSON.stringify(input.roles), now, now)
    .first<GroupRow>();
  forgetAccessDefinitions();
  return row ? toRecord(row) : null;
}

export async function getGroup(db: D1Database, id: string): Promise<GroupRecord | null> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM access_groups WHERE id = ?`).bind(id).first<GroupRow>();
  return row ? toRecord(row) : null;
}

/** Groups matching a SQL condition built by the SCIM filter (bound values), a page of them and the total. */
export async function findGroups(db: D1Database, where: { sql: string; values: unknown[] }, offset: number, limit: number): Promise<{ total: number; groups: GroupRecord[] }> {
  const [count, rows] = await db.batch([
    db.prepare(`SELECT count(*) AS n FROM access_groups WHERE ${where.sql}`).bind(...where.values),
    db.prepare(`SELECT ${COLUMNS} FROM access_groups WHERE ${where.sql} ORDER BY created_at, id LIMIT ? OFFSET ?`).bind(...where.values, limit, offset),
  ]);
  return { total: (count!.results[0] as { n: number }).n, groups: (rows!.results as GroupRow[]).map(toRecord) };
}

/**
 * Changes a group's name, externalId or roles if its version is still `ifVersion`:
 * the group after the change, "stale" when another change came first, "taken" when
 * the new name belongs to another group, null when there is no such group.
 */
export async function updateGroup(db: D1Database, id: string, ifVersion: number, change: { displayName: string; externalId: string | null; roles: string[] }): Promise<GroupRecord | "stale" | "taken" | null> {
  try {
    const row = await db
      .prepare(`UPDATE access_groups SET display_name = ?, external_id = ?, roles = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING ${COLUMNS}`)
      .bind(change.displayName, change.externalId, JSON.stringify(change.roles), Date.now(), id, ifVersion)
      .first<GroupRow>();
    forgetAccessDefinitions();
    if (row) return toRecord(row);
  } catch (error) {
    if (String(error).includes("UNIQUE")) return "taken";
    throw error;
  }
  return (await getGroup(db, id)) ? "stale" : null;
}

export async function groupMemberIds(db: D1Database, groupId: string): Promise<string[]> {
  const rows = await db.prepare("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id").bind(groupId).all<{ user_id: string }>();
  return rows.results.map((r) => r.user_id);
}

/**
 * Adds or removes one member. The user's shard holds the truth (user_access.groups, read
 * at token issuance), so it is written first; the D1 index follows and is idempotent.
 * If the index write fails the request fails, and repeating it re-applies both: the
 * shard change is a set operation, the index an INSERT OR IGNORE / DELETE.
 */
export async function setMembership(env: Env, config: Config, groupId: string, userId: string, member: boolean, actor: string): Promise<void> {
  if (!isUserId(userId)) throw notFound(`no such user: ${userId}`);
  const bucket = bucketOf(userId);
  const change = member ? { addGroups: [groupId] } : { removeGroups: [groupId] };
  const result = await callShard(env, config, bucket, (stub) => stub.writeAccess({ bucket, userId, ...change, actor }));
  if (!result.ok) throw shardFailure(result, "user", "changing a group membership");
  const statement = member ? "INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)" : "DELETE FROM group_members WHERE group_id = ? AND user_id = ?";
  await env.DB.prepare(statement).bind(groupId, userId).run();
}

/** Deletes a group: every member leaves it in their shard first, then the group and its index rows go. */
export async function deleteGroup(env: Env, config: Config, groupId: string, actor: string): Promise<boolean> {
  for (const userId of await groupMemberIds(env.DB, groupId)) {
    // A member deleted meanwhile has no shard row to change: only its index row is left.
    await setMembership(env, config, groupId, userId, false, actor).catch((e: unknown) => (e instanceof OAuthError && e.status === 404 ? undefined : Promise.reject(e)));
  }
  await env.DB.prepare("DELETE FROM group_members WHERE group_id = ?").bind(groupId).run();
  const deleted = await env.DB.prepare("DELETE FROM access_groups WHERE id = ?").bind(groupId).run();
  forgetAccessDefinitions();
  return (deleted.meta.changes ?? 0) > 0;
}
