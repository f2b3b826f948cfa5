import type { AccessRecord } from "../../actors/user-shard/api";
import { hashPassword } from "../../oauth/password";
import { bucketOf, newUserId } from "../../shard/bucket";
import { accessDefinitions } from "../access/definitions";
import { releaseEmail, reserveEmail } from "../d1/user-emails";
import { callShard } from "../shards/call";
import { isUserId } from "../users/service";
import { LIST_SCHEMA, pageOf, project, type ScimContext, type ScimResult } from "./context";
import { notFound, preconditionFailed, ScimError } from "./errors";
import { filterToSql, parseFilter } from "./filter";
import { applyPatch, readPatch } from "./patch";
import { ENTERPRISE_SCHEMA, parseUser, SCIM_ATTRIBUTES, USER_SCHEMA, userResource, type ScimUser } from "./user-resource";

/**
 * Filterable User attributes → columns of user_emails (e, emails stored normalised: its
 * primary key answers Okta's and Entra's `userName eq`) joined with the scim_users index (s).
 */
const EMAIL = { sql: "e.email", form: "lower" } as const;
const USER_COLUMNS = { username: EMAIL, emails: EMAIL, "emails.value": EMAIL, id: { sql: "e.user_id", form: "exact" }, externalid: { sql: "s.external_id", form: "exact" }, displayname: { sql: "s.display_name", form: "nocase" } } as const;

async function groupNames(ctx: ScimContext): Promise<Map<string, string>> {
  const defs = await accessDefinitions(ctx.env, ctx.config);
  return new Map([...defs.groups.values()].map((g) => [g.id, g.displayName]));
}

function shardError(result: { error: string; detail?: string }): ScimError {
  if (result.error === "not_found") return notFound("User");
  if (result.error === "conflict") return new ScimError(409, "a user with this id exists", "uniqueness");
  return new ScimError(500, "the user's shard refused the change");
}

async function readUser(ctx: ScimContext, id: string): Promise<AccessRecord> {
  if (!isUserId(id)) throw notFound("User");
  const result = await callShard(ctx.env, ctx.config, bucketOf(id), (stub) => stub.readAccess(bucketOf(id), id));
  if (!result.ok) throw shardError(result);
  return result;
}

async function present(ctx: ScimContext, record: AccessRecord, status: number): Promise<ScimResult> {
  const body = userResource(record, await groupNames(ctx), ctx.base);
  return { status, body, version: record.version, location: `${ctx.base}/Users/${record.user.id}` };
}

/** The scim_users index row (filtering on externalId/displayName); rewritten on every change, so a lost write heals. */
async function indexUser(ctx: ScimContext, id: string, u: ScimUser): Promise<void> {
  const now = Date.now();
  await ctx.env.DB.prepare(
    "INSERT INTO scim_users (user_id, user_name, external_id, display_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) " +
      "ON CONFLICT (user_id) DO UPDATE SET user_name = ?2, external_id = ?3, display_name = ?4, updated_at = ?5",
  ).bind(id, u.email, u.externalId, u.displayName, now).run();
}

const storedOf = (u: ScimUser) => ({ ...u.stored, ...(u.externalId ? { externalId: u.externalId } : {}), ...(u.displayName ? { displayName: u.displayName } : {}) });
const profileOf = (u: ScimUser) => ({ email: u.email, name: u.formatted ?? u.displayName, givenName: u.givenName, familyName: u.familyName });

/** POST /Users (RFC 7644 §3.3): the email is reserved in D1, then the user is created in its shard in one write. */
export async function createScimUser(ctx: ScimContext, body: unknown): Promise<ScimResult> {
  const u = parseUser(body);
  const id = newUserId();
  const bucket = bucketOf(id);
  const verifier = u.password === null ? null : await hashPassword(u.password);
  if (!(await reserveEmail(ctx.env.DB, u.email, id))) throw new ScimError(409, "a user with this userName exists", "uniqueness");
  try {
    const create = { id, bucket, email: u.email, emailVerified: false, name: u.formatted ?? u.displayName, givenName: u.givenName, familyName: u.familyName, passwordVerifier: verifier };
    const result = await callShard(ctx.env, ctx.config, bucket, (stub) => stub.writeAccess({ bucket, userId: id, create, active: u.active, attributes: u.attributes, scim: storedOf(u), actor: ctx.clientId }));
    if (!result.ok) throw shardError(result);
    if (result.stale) throw new ScimError(500, "the new user's record was not fresh");
    await indexUser(ctx, id, u);
    return present(ctx, result, 201);
  } catch (error) {
    await releaseEmail(ctx.env.DB, u.email, id);
    throw error;
  }
}

export async function getScimUser(ctx: ScimContext, id: string): Promise<ScimResult> {
  return present(ctx, await readUser(ctx, id), 200);
}

function mergeAttributes(current: Readonly<Record<string, string>>, derived: Record<string, string>): Record<string, string> {
  const scimKeys = new Set(Object.values(SCIM_ATTRIBUTES));
  return { ...Object.fromEntries(Object.entries(current).filter(([k]) => !scimKeys.has(k))), ...derived };
}

/** Writes `u` over `current` if it is still that version; an email change moves the D1 reservation. */
async function writeUser(ctx: ScimContext, current: AccessRecord, u: ScimUser): Promise<ScimResult> {
  const id = current.user.id;
  const bucket = current.user.bucket;
  const moving = u.email !== current.user.email;
  if (moving && !(await moveEmail(ctx.env.DB, id, current.user.email, u.email))) throw new ScimError(409, "a user with this userName exists", "uniqueness");
  try {
    const change = { bucket, userId: id, ifVersion: current.version, profile: profileOf(u), active: u.active, attributes: mergeAttributes(current.access.attributes, u.attributes), scim: storedOf(u), actor: ctx.clientId };
    const result = await callShard(ctx.env, ctx.config, bucket, (stub) => stub.writeAccess(change));
    if (!result.ok) throw shardError(result);
    if (result.stale) throw preconditionFailed();
    await indexUser(ctx, id, u);
    return present(ctx, result, 200);
  } catch (error) {
    if (moving) await moveEmail(ctx.env.DB, id, u.email, current.user.email);
    throw error;
  }
}

/**
 * A userName change moves the user's row in the email index (one address per user) before
 * the shard write, and back if that fails: false when the new address belongs to another user.
 */
async function moveEmail(db: D1Database, id: string, from: string, to: string): Promise<boolean> {
  try {
    const moved = await db.prepare("UPDATE user_emails SET email = ? WHERE user_id = ? AND email = ?").bind(to, id, from).run();
    return (moved.meta.changes ?? 0) === 1;
  } catch (error) {
    if (String(error).includes("UNIQUE")) return false;
    throw error;
  }
}

function checkIfMatch(current: AccessRecord, ifMatch: number | "*" | undefined): void {
  if (typeof ifMatch === "number" && ifMatch !== current.version) throw preconditionFailed();
}

/** PUT /Users/{id} (RFC 7644 §3.5.1): replaces the resource; If-Match guards it (§3.14). */
export async function replaceScimUser(ctx: ScimContext, id: string, body: unknown, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  const u = parseUser(body);
  const current = await readUser(ctx, id);
  checkIfMatch(current, ifMatch);
  return writeUser(ctx, current, u);
}

/** PATCH /Users/{id} (RFC 7644 §3.5.2): applied to the current resource, written only if nobody wrote in between. */
export async function patchScimUser(ctx: ScimContext, id: string, body: unknown, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  const operations = readPatch(body);
  if (operations.some((o) => o.path !== null && /^groups\b/i.test(o.path))) throw new ScimError(400, "groups is read-only on a User: change the Group's members", "mutability");
  const current = await readUser(ctx, id);
  checkIfMatch(current, ifMatch);
  const resource = userResource(current, new Map(), ctx.base);
  return writeUser(ctx, current, parseUser(applyPatch(resource, operations, USER_SCHEMA, [ENTERPRISE_SCHEMA])));
}

/** DELETE /Users/{id} (RFC 7644 §3.6): the shard deletes the user, then the global index entries go. */
export async function deleteScimUser(ctx: ScimContext, id: string, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  if (typeof ifMatch === "number") checkIfMatch(await readUser(ctx, id), ifMatch);
  if (!isUserId(id)) throw notFound("User");
  const result = await callShard(ctx.env, ctx.config, bucketOf(id), (stub) => stub.deleteUser(bucketOf(id), id, ctx.clientId));
  if (!result.ok) throw shardError(result);
  await ctx.env.DB.batch([
    ctx.env.DB.prepare("DELETE FROM user_emails WHERE email = ? AND user_id = ?").bind(result.email, id),
    ctx.env.DB.prepare("DELETE FROM scim_users WHERE user_id = ?").bind(id),
    ctx.env.DB.prepare("DELETE FROM group_members WHERE user_id = ?").bind(id),
  ]);
  return { status: 204 };
}

/** GET /Users (RFC 7644 §3.4.2): filter over the global indexes, a page of ids, each user read from its shard. */
export async function listScimUsers(ctx: ScimContext, query: Record<string, string | undefined>): Promise<ScimResult> {
  const where = query.filter ? filterToSql(parseFilter(query.filter), USER_COLUMNS) : { sql: "1", values: [] };
  const page = pageOf(query);
  const from = `FROM user_emails e LEFT JOIN scim_users s ON s.user_id = e.user_id WHERE ${where.sql}`;
  const [count, rows] = await ctx.env.DB.batch([
    ctx.env.DB.prepare(`SELECT count(*) AS n ${from}`).bind(...where.values),
    ctx.env.DB.prepare(`SELECT e.user_id ${from} ORDER BY e.created_at, e.user_id LIMIT ? OFFSET ?`).bind(...where.values, page.limit, page.offset),
  ]);
  const names = await groupNames(ctx);
  const ids = (rows!.results as { user_id: string }[]).map((r) => r.user_id);
  const records = await Promise.all(ids.map((id) => readUser(ctx, id).catch(() => null)));
  const resources = records.filter((r): r is AccessRecord => r !== null).map((r) => project(userResource(r, names, ctx.base), query.attributes, query.excludedAttributes));
  return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: (count!.results[0] as { n: number }).n, startIndex: page.startIndex, itemsPerPage: resources.length, Resources: resources } };
}
