// `npm run access` command lines turned into operator API requests: roles with permissions and
// ABAC conditions, groups and members, a user's roles and attributes, a client's role claims,
// SCIM provisioning clients. Pure, so the flag handling is tested without a server.
import { UsageError } from "./args.ts";

export interface AccessRequest {
  method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
}

const CLAIMS = new Set(["roles", "groups", "permissions"]);

/** A comma-separated list ("" is the empty list). */
export function listOf(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function jsonFlag(raw: string, flag: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`${flag} must be JSON, e.g. '{"attribute":"department","equals":"Finance"}'`);
  }
}

function claimsOf(raw: string | undefined, flag: string): string[] {
  const names = listOf(raw);
  const bad = names.filter((n) => !CLAIMS.has(n));
  if (bad.length > 0) throw new UsageError(`${flag}: ${bad.join(", ")} is not one of roles, groups, permissions`);
  return names;
}

const enc = encodeURIComponent;

export function roleRequest(v: { name: string; permissions?: string | undefined; client?: string | undefined; description?: string | undefined; condition?: string | undefined }): AccessRequest {
  const body: Record<string, unknown> = { permissions: listOf(v.permissions) };
  if (v.client !== undefined) body.client_id = v.client;
  if (v.description !== undefined) body.description = v.description;
  if (v.condition !== undefined) body.condition = jsonFlag(v.condition, "--condition");
  return { method: "PUT", path: `/admin/roles/${enc(v.name)}`, body };
}

export function userAccessRequest(v: { user: string; roles?: string | undefined; attributes?: string | undefined }): AccessRequest {
  const path = `/admin/users/${enc(v.user)}/access`;
  if (v.roles === undefined && v.attributes === undefined) return { method: "GET", path };
  const body: Record<string, unknown> = {};
  if (v.roles !== undefined) body.roles = listOf(v.roles);
  if (v.attributes !== undefined) {
    const attributes = jsonFlag(v.attributes, "--attributes");
    if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) throw new UsageError("--attributes must be a JSON object of strings");
    body.attributes = attributes;
  }
  return { method: "PUT", path, body };
}

export function clientClaimsRequest(v: { client: string; "id-token"?: string | undefined; "access-token"?: string | undefined; userinfo?: string | undefined }): AccessRequest {
  return {
    method: "PUT",
    path: `/admin/clients/${enc(v.client)}/access-claims`,
    body: { id_token: claimsOf(v["id-token"], "--id-token"), access_token: claimsOf(v["access-token"], "--access-token"), userinfo: claimsOf(v.userinfo, "--userinfo") },
  };
}

export function groupRequest(v: { name: string; roles?: string | undefined }): AccessRequest {
  return { method: "POST", path: "/admin/groups", body: { display_name: v.name, roles: listOf(v.roles) } };
}

export function memberRequest(v: { group: string; user: string }, add: boolean): AccessRequest {
  return add
    ? { method: "POST", path: `/admin/groups/${enc(v.group)}/members`, body: { user_id: v.user } }
    : { method: "DELETE", path: `/admin/groups/${enc(v.group)}/members/${enc(v.user)}` };
}
