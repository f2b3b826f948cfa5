import { bucketOf } from "../../shard/bucket";
import { auditDefinition } from "../access/audit";
import { createGroup, deleteGroup, findGroups, getGroup, groupMemberIds, setMembership, updateGroup, type GroupRecord } from "../access/groups";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { LIST_SCHEMA, pageOf, project, type ScimContext, type ScimResult } from "./context";
import { invalidSyntax, invalidValue, notFound, preconditionFailed, ScimError } from "./errors";
import { filterToSql, matchesFilter, parseFilter } from "./filter";
import { parsePath, readPatch, type PatchOperation } from "./patch";
import { etagOf } from "./user-resource";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_COLUMNS = { displayname: { sql: "display_name", form: "nocase" }, externalid: { sql: "external_id", form: "exact" }, id: { sql: "id", form: "exact" } } as const;
const MAX_MEMBERS_PER_REQUEST = 1000;

type Json = Record<string, unknown>;

function field(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function groupResource(ctx: ScimContext, group: GroupRecord, members: string[] | null): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(members === null ? {} : { members: members.map((value) => ({ value, type: "User", $ref: `${ctx.base}/Users/${value}` })) }),
    meta: { resourceType: "Group", created: new Date(group.createdAt).toISOString(), lastModified: new Date(group.updatedAt).toISOString(), location: `${ctx.base}/Groups/${group.id}`, version: etagOf(group.version) },
  };
}

function displayNameOf(v: unknown): string {
  if (typeof v !== "string" || v.trim() === "" || v.length > 256) throw invalidValue("displayName must be a non-empty string of at most 256 characters");
  return v.trim();
}

function externalIdOf(v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string" || v.length > 256) throw invalidValue("externalId must be a string");
  return v;
}

/** Member ids of a `members` value: [{ value }], each a user that exists (checked in its shard). */
async function memberIdsOf(ctx: ScimContext, raw: unknown): Promise<string[]> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidValue("members must be an array of { value }");
  if (raw.length > MAX_MEMBERS_PER_REQUEST) throw new ScimError(400, `at most ${MAX_MEMBERS_PER_REQUEST} members per request`, "tooMany");
  const ids = raw.map((m) => (typeof m === "object" && m !== null ? field(m as Json, "value") : undefined));
  if (ids.some((id) => typeof id !== "string")) throw invalidValue("each member needs a string value (a User id)");
  const unique = [...new Set(ids as string[])];
  const missing = await Promise.all(unique.map(async (id) => (isUserId(id) && (await callShard(ctx.env, ctx.config, bucketOf(id), (s) => s.readAccess(bucketOf(id), id))).ok ? null : id)));
  const unknown = missing.filter((id) => id !== null);
  if (unknown.length > 0) throw invalidValue(`no such User: ${unknown.slice(0, 5).join(", ")}`);
  return unique;
}

async function readGroup(ctx: ScimContext, id: string): Promise<GroupRecord> {
  const group = await getGroup(ctx.env.DB, id);
  if (!group) throw notFound("Group");
  return group;
}

function checkIfMatch(group: GroupRecord, ifMatch: number | "*" | undefined): void {
  if (typeof ifMatch === "number" && ifMatch !== group.version) throw preconditionFailed();
}

async function applyMembers(ctx: ScimContext, groupId: string, add: readonly string[], remove: readonly string[]): Promise<void> {
  for (const id of add) await setMembership(ctx.env, ctx.config, groupId, id, true, ctx.clientId);
  for (const id of remove) await setMembership(ctx.env, ctx.config, groupId, id, false, ctx.clientId).catch((e: unknown) => (isGone(e) ? undefined : Promise.reject(e)));
}

/** A member deleted since: its index row is dropped with the user; nothing to undo in a shard. */
const isGone = (error: unknown) => error instanceof Error && "status" in error && (error as { status: number }).status === 404;

/** POST /Groups (RFC 7644 §3.3): members are checked before anything is written. */
export async function createScimGroup(ctx: ScimContext, body: unknown): Promise<ScimResult> {
  if (typeof body !== "object" || body === null || !Array.isArray(field(body as Json, "schemas"))) throw invalidSyntax(`schemas must include ${GROUP_SCHEMA}`);
  const obj = body as Json;
  const displayName = displayNameOf(field(obj, "displayName"));
  const externalId = externalIdOf(field(obj, "externalId"));
  const members = await memberIdsOf(ctx, field(obj, "members"));
  const group = await createGroup(ctx.env.DB, { displayName, externalId, roles: [] });
  if (!group) throw new ScimError(409, "a Group with this displayName exists", "uniqueness");
  await applyMembers(ctx, group.id, members, []);
  await auditDefinition(ctx.env, "group.created", { group: group.id, by: ctx.clientId, members: members.length });
  return { status: 201, body: groupResource(ctx, group, members), version: group.version, location: `${ctx.base}/Groups/${group.id}` };
}

const wantsMembers = (query: Record<string, string | undefined>) => !/(^|,)\s*members\s*(,|$)/i.test(query.excludedAttributes ?? "");

export async function getScimGroup(ctx: ScimContext, id: string, query: Record<string, string | undefined>): Promise<ScimResult> {
  const group = await readGroup(ctx, id);
  const members = wantsMembers(query) ? await groupMemberIds(ctx.env.DB, id) : null;
  return { status: 200, body: project(groupResource(ctx, group, members), query.attributes, query.excludedAttributes), version: group.version };
}

export async function listScimGroups(ctx: ScimContext, query: Record<string, string | undefined>): Promise<ScimResult> {
  const where = query.filter ? filterToSql(parseFilter(query.filter), GROUP_COLUMNS) : { sql: "1", values: [] };
  const page = pageOf(query);
  const found = await findGroups(ctx.env.DB, where, page.offset, page.limit);
  const resources = await Promise.all(
    found.groups.map(async (g) => project(groupResource(ctx, g, wantsMembers(query) ? await groupMemberIds(ctx.env.DB, g.id) : null), query.attributes, query.excludedAttributes)),
  );
  return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: found.total, startIndex: page.startIndex, itemsPerPage: resources.length, Resources: resources } };
}

/** Writes the new name/externalId (bumping the version) if unchanged since read, then the member changes. */
async function writeGroup(ctx: ScimContext, group: GroupRecord, next: { displayName: string; externalId: string | null }, add: string[], remove: string[]): Promise<ScimResult> {
  const updated = await updateGroup(ctx.env.DB, group.id, group.version, { ...next, roles: group.roles });
  if (updated === "taken") throw new ScimError(409, "a Group with this displayName exists", "uniqueness");
  if (updated === "stale") throw preconditionFailed();
  if (updated === null) throw notFound("Group");
  await applyMembers(ctx, group.id, add, remove);
  await auditDefinition(ctx.env, "group.updated", { group: group.id, by: ctx.clientId, added: add, removed: remove });
  return { status: 200, body: groupResource(ctx, updated, await groupMemberIds(ctx.env.DB, group.id)), version: updated.version };
}

/** PUT /Groups/{id} (RFC 7644 §3.5.1): name, externalId and the whole member list. */
export async function replaceScimGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  if (typeof body !== "object" || body === null) throw invalidSyntax("the body must be a JSON object");
  const obj = body as Json;
  const group = await readGroup(ctx, id);
  checkIfMatch(group, ifMatch);
  const next = { displayName: displayNameOf(field(obj, "displayName")), externalId: externalIdOf(field(obj, "externalId")) };
  const wanted = await memberIdsOf(ctx, field(obj, "members"));
  const current = await groupMemberIds(ctx.env.DB, id);
  return writeGroup(ctx, group, next, wanted.filter((m) => !current.includes(m)), current.filter((m) => !wanted.includes(m)));
}

/** One operation on the group's name, externalId or members (Okta's and Entra's shapes). */
async function patchStep(ctx: ScimContext, o: PatchOperation, state: { displayName: string; externalId: string | null; members: Set<string> }): Promise<void> {
  // Okta's rename sends { id, displayName } without a path: the read-only id (and schemas, meta) are not changes.
  const entries: [string | null, unknown][] = o.path === null ? Object.entries((o.value ?? {}) as Json).filter(([k]) => !["id", "schemas", "meta"].includes(k)) : [[o.path, o.value]];
  if (o.path === null && (typeof o.value !== "object" || o.value === null || Array.isArray(o.value))) throw invalidSyntax("a PATCH operation without a path needs an object value");
  for (const [rawPath, value] of entries) {
    const p = parsePath(rawPath!, GROUP_SCHEMA, []);
    const attr = p.attr.toLowerCase();
    if (attr === "displayname" && o.op !== "remove") state.displayName = displayNameOf(value);
    else if (attr === "externalid") state.externalId = o.op === "remove" ? null : externalIdOf(value);
    else if (attr === "members" && p.filter !== null && o.op === "remove") {
      for (const m of [...state.members]) if (matchesFilter(p.filter, { value: m })) state.members.delete(m);
    } else if (attr === "members" && p.filter === null) {
      const ids = o.op === "remove" && (value === undefined || value === null) ? [...state.members] : o.op === "remove" ? (value as Json[]).map((m) => String(field(m, "value"))) : await memberIdsOf(ctx, value);
      if (o.op === "replace") state.members.clear();
      for (const id of ids) if (o.op === "remove") state.members.delete(id); else state.members.add(id);
    } else throw new ScimError(400, `'${rawPath}' cannot be changed by ${o.op} on a Group`, "invalidPath");
  }
}

/** PATCH /Groups/{id} (RFC 7644 §3.5.2): the result is computed first, then written as one diff. */
export async function patchScimGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  const operations = readPatch(body);
  const group = await readGroup(ctx, id);
  checkIfMatch(group, ifMatch);
  const current = await groupMemberIds(ctx.env.DB, id);
  const state = { displayName: group.displayName, externalId: group.externalId, members: new Set(current) };
  for (const o of operations) await patchStep(ctx, o, state);
  const wanted = [...state.members];
  return writeGroup(ctx, group, state, wanted.filter((m) => !current.includes(m)), current.filter((m) => !state.members.has(m)));
}

export async function deleteScimGroup(ctx: ScimContext, id: string, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  checkIfMatch(await readGroup(ctx, id), ifMatch);
  if (!(await deleteGroup(ctx.env, ctx.config, id, ctx.clientId))) throw notFound("Group");
  await auditDefinition(ctx.env, "group.deleted", { group: id, by: ctx.clientId });
  return { status: 204 };
}
