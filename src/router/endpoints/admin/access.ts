import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { bucketOf } from "../../../shard/bucket";
import { parseCondition } from "../../../oauth/access-condition";
import { ACCESS_CLAIMS } from "../../../oauth/access-policy";
import { auditDefinition } from "../../access/audit";
import { createGroup, deleteGroup, findGroups, getGroup, groupMemberIds, setMembership, updateGroup } from "../../access/groups";
import { deleteRole, listRoles, putClientClaims, putRole, unknownRoles } from "../../access/store";
import { getClient } from "../../clients/registry";
import { conflict, invalidRequest, notFound } from "../../errors";
import { shardFailure } from "../../shard-errors";
import { callShard } from "../../shards/call";
import type { AppEnv } from "../../types";
import { isUserId } from "../../users/service";
import { readJson } from "./body";

/** Role, group and permission names: printable, no spaces (they travel in token claims). */
const NAME = z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, "1-128 printable characters, no spaces"));
const claimList = z.array(z.enum(ACCESS_CLAIMS)).check(z.maxLength(3));

const roleBody = z.strictObject({
  description: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
  client_id: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(200)))),
  permissions: z.array(NAME).check(z.maxLength(200)),
  condition: z.optional(z.nullable(z.unknown())),
});
const groupBody = z.strictObject({ display_name: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)), roles: z.optional(z.array(NAME).check(z.maxLength(100))) });
const groupChange = z.strictObject({ display_name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(256))), roles: z.optional(z.array(NAME).check(z.maxLength(100))) });
const memberBody = z.strictObject({ user_id: z.string() });
const userAccessBody = z.strictObject({
  roles: z.optional(z.array(NAME).check(z.maxLength(100))),
  attributes: z.optional(z.record(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, "attribute names are lower_snake_case")), z.string().check(z.maxLength(256)))),
});
const claimsBody = z.strictObject({ id_token: claimList, access_token: claimList, userinfo: claimList });

async function requireKnownRoles(db: D1Database, names: readonly string[]): Promise<void> {
  const unknown = await unknownRoles(db, names);
  if (unknown.length > 0) throw invalidRequest(`roles: not defined: ${unknown.join(", ")}`);
}

/** Operator API for role definitions (PUT creates or replaces, with permissions and an optional ABAC condition). */
export const adminRoles = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ roles: await listRoles(c.env.DB) }))
  .put("/:name", async (c) => {
    const name = c.req.param("name");
    if (!z.safeParse(NAME, name).success) throw invalidRequest("role name: 1-128 printable characters, no spaces");
    const body = await readJson(c, roleBody);
    const parsed = body.condition == null ? null : parseCondition(body.condition);
    if (parsed !== null && !parsed.ok) throw invalidRequest(parsed.message);
    const clientId = body.client_id ?? null;
    if (clientId !== null && !(await getClient(c.env, c.var.config, clientId))) throw invalidRequest(`client_id: no such client`);
    const role = { name, description: body.description ?? null, clientId, permissions: [...new Set(body.permissions)], condition: parsed?.condition ?? null };
    await putRole(c.env.DB, role);
    await auditDefinition(c.env, "role.defined", { role: name, client_id: clientId, permissions: role.permissions, condition: role.condition !== null });
    return c.json({ role: { name, description: role.description, client_id: clientId, permissions: role.permissions, condition: role.condition } });
  })
  .delete("/:name", async (c) => {
    if (!(await deleteRole(c.env.DB, c.req.param("name")))) throw notFound("no such role");
    await auditDefinition(c.env, "role.deleted", { role: c.req.param("name") });
    return c.body(null, 204);
  });

/** Operator API for groups and their members (SCIM manages the same groups). */
export const adminGroups = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ groups: (await findGroups(c.env.DB, { sql: "1", values: [] }, 0, 1000)).groups }))
  .post("/", async (c) => {
    const body = await readJson(c, groupBody);
    await requireKnownRoles(c.env.DB, body.roles ?? []);
    const group = await createGroup(c.env.DB, { displayName: body.display_name, externalId: null, roles: body.roles ?? [] });
    if (!group) throw conflict("a group with this display_name exists");
    await auditDefinition(c.env, "group.created", { group: group.id, roles: group.roles, by: "operator" });
    return c.json({ group }, 201);
  })
  .get("/:id", async (c) => {
    const group = await getGroup(c.env.DB, c.req.param("id"));
    if (!group) throw notFound("no such group");
    return c.json({ group, members: await groupMemberIds(c.env.DB, group.id) });
  })
  .patch("/:id", async (c) => {
    const body = await readJson(c, groupChange);
    const group = await getGroup(c.env.DB, c.req.param("id"));
    if (!group) throw notFound("no such group");
    await requireKnownRoles(c.env.DB, body.roles ?? []);
    const next = await updateGroup(c.env.DB, group.id, group.version, { displayName: body.display_name ?? group.displayName, externalId: group.externalId, roles: body.roles ?? group.roles });
    if (next === "taken") throw conflict("a group with this display_name exists");
    if (next === "stale" || next === null) throw conflict("the group changed meanwhile; read it again");
    await auditDefinition(c.env, "group.updated", { group: group.id, roles: next.roles, by: "operator" });
    return c.json({ group: next });
  })
  .delete("/:id", async (c) => {
    if (!(await deleteGroup(c.env, c.var.config, c.req.param("id"), "operator"))) throw notFound("no such group");
    await auditDefinition(c.env, "group.deleted", { group: c.req.param("id"), by: "operator" });
    return c.body(null, 204);
  })
  .post("/:id/members", async (c) => {
    const body = await readJson(c, memberBody);
    if (!(await getGroup(c.env.DB, c.req.param("id")))) throw notFound("no such group");
    await setMembership(c.env, c.var.config, c.req.param("id"), body.user_id, true, "operator");
    return c.body(null, 204);
  })
  .delete("/:id/members/:userId", async (c) => {
    await setMembership(c.env, c.var.config, c.req.param("id"), c.req.param("userId"), false, "operator");
    return c.body(null, 204);
  });

/** Operator API: a user's direct roles and policy attributes (GET/PUT /admin/users/:id/access). */
export const adminUserAccess = new Hono<AppEnv>()
  .get("/:id/access", async (c) => {
    const id = c.req.param("id");
    if (!isUserId(id)) throw notFound("no such user");
    const result = await callShard(c.env, c.var.config, bucketOf(id), (stub) => stub.readAccess(bucketOf(id), id));
    if (!result.ok) throw shardFailure(result, "user", "reading roles");
    return c.json({ user_id: id, ...result.access, version: result.version });
  })
  .put("/:id/access", async (c) => {
    const id = c.req.param("id");
    if (!isUserId(id)) throw notFound("no such user");
    const body = await readJson(c, userAccessBody);
    await requireKnownRoles(c.env.DB, body.roles ?? []);
    const change = { ...(body.roles ? { roles: body.roles } : {}), ...(body.attributes ? { attributes: body.attributes } : {}) };
    const result = await callShard(c.env, c.var.config, bucketOf(id), (stub) => stub.writeAccess({ bucket: bucketOf(id), userId: id, ...change, actor: "operator" }));
    if (!result.ok) throw shardFailure(result, "user", "changing roles");
    if (result.stale) throw conflict("changed meanwhile");
    return c.json({ user_id: id, ...result.access, version: result.version });
  });

/** Operator API: which of roles/groups/permissions a client gets in which token (PUT /admin/clients/:id/access-claims). */
export const adminClientAccessClaims = new Hono<AppEnv>().put("/:id/access-claims", async (c) => {
  const clientId = c.req.param("id");
  if (!(await getClient(c.env, c.var.config, clientId))) throw notFound("no such client");
  const body = await readJson(c, claimsBody);
  await putClientClaims(c.env.DB, clientId, body);
  await auditDefinition(c.env, "client.access_claims", { ...body }, clientId);
  return c.json({ client_id: clientId, ...body });
});
