import type { AccessRecord } from "../../actors/user-shard/api";
import { MAX_EMAIL_LENGTH, normalizeEmail } from "../users/email";
import { MAX_PASSWORD_LENGTH } from "../../oauth/password";
import { invalidSyntax, invalidValue, ScimError } from "./errors";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Core attributes kept as sent (in user_access.scim) besides those with a column of their own. */
const KEPT = ["nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone", "emails", "phoneNumbers", "addresses", "photos", "ims"] as const;
const ENTERPRISE_STRINGS = ["employeeNumber", "costCenter", "organization", "division", "department"] as const;
const MAX_STORED = 16 * 1024;

/** Policy attributes (ABAC) taken from what SCIM provisions, under lower_snake_case names. */
export const SCIM_ATTRIBUTES: Readonly<Record<string, string>> = {
  department: "department",
  division: "division",
  organization: "organization",
  costCenter: "cost_center",
  employeeNumber: "employee_number",
  title: "title",
  userType: "user_type",
};

/** A User resource as this provider stores it. */
export interface ScimUser {
  email: string;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  formatted: string | null;
  active: boolean;
  password: string | null;
  /** What goes into user_access.scim. */
  stored: Record<string, unknown>;
  /** Policy attributes derived from it. */
  attributes: Record<string, string>;
}

type Json = Record<string, unknown>;

function field(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function optionalString(obj: Json, name: string, max = 256): string | null {
  const v = field(obj, name);
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string" || v.length > max) throw invalidValue(`${name} must be a string of at most ${max} characters`);
  return v;
}

/** SCIM booleans, and the strings Entra sends for them ("True", "False"). */
function booleanOf(v: unknown, name: string): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  throw invalidValue(`${name} must be a boolean`);
}

function enterpriseOf(raw: unknown): Json | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidValue(`${ENTERPRISE_SCHEMA} must be an object`);
  const obj = raw as Json;
  const out: Json = {};
  for (const name of ENTERPRISE_STRINGS) {
    const v = optionalString(obj, name);
    if (v !== null) out[name] = v;
  }
  const manager = field(obj, "manager");
  if (manager !== undefined && manager !== null && manager !== "") {
    // Entra sends the manager's id as a bare string in PATCH; the schema says a complex value.
    const value = typeof manager === "string" ? manager : typeof manager === "object" ? field(manager as Json, "value") : undefined;
    if (typeof value !== "string") throw invalidValue("manager must have a string value");
    out.manager = { value };
  }
  return out;
}

/** Validates a User resource (POST, PUT, or the result of a PATCH). */
export function parseUser(body: unknown): ScimUser {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidSyntax("the body must be a JSON object");
  const obj = body as Json;
  const schemas = field(obj, "schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === USER_SCHEMA.toLowerCase())) throw invalidSyntax(`schemas must include ${USER_SCHEMA}`);
  const userName = field(obj, "userName");
  if (typeof userName !== "string" || userName.length > MAX_EMAIL_LENGTH) throw invalidValue("userName is required: the user's email address");
  const email = normalizeEmail(userName);
  if (email === null) throw invalidValue("userName must be an email address (it is the account's email)");
  const nameRaw = field(obj, "name");
  if (nameRaw !== undefined && nameRaw !== null && (typeof nameRaw !== "object" || Array.isArray(nameRaw))) throw invalidValue("name must be an object");
  const name = (nameRaw ?? {}) as Json;
  const activeRaw = field(obj, "active");
  const password = field(obj, "password");
  if (password !== undefined && (typeof password !== "string" || password.length < 8 || password.length > MAX_PASSWORD_LENGTH)) throw invalidValue("password must be 8 or more characters");
  const stored: Json = {};
  for (const key of KEPT) {
    const v = field(obj, key);
    if (v !== undefined && v !== null) stored[key] = v;
  }
  for (const key of ["emails", "phoneNumbers", "addresses", "photos", "ims"]) {
    if (stored[key] !== undefined && !Array.isArray(stored[key])) throw invalidValue(`${key} must be an array`);
  }
  const user: ScimUser = {
    email,
    externalId: optionalString(obj, "externalId"),
    displayName: optionalString(obj, "displayName"),
    givenName: optionalString(name, "givenName", 200),
    familyName: optionalString(name, "familyName", 200),
    formatted: optionalString(name, "formatted", 200),
    active: activeRaw === undefined || activeRaw === null ? true : booleanOf(activeRaw, "active"),
    password: typeof password === "string" ? password : null,
    stored,
    attributes: {},
  };
  const enterprise = enterpriseOf(field(obj, ENTERPRISE_SCHEMA));
  if (enterprise !== null) stored.enterprise = enterprise;
  if (Object.keys(name).length > 0) stored.name = { ...(user.givenName ? { givenName: user.givenName } : {}), ...(user.familyName ? { familyName: user.familyName } : {}), ...(user.formatted ? { formatted: user.formatted } : {}) };
  if (JSON.stringify(stored).length > MAX_STORED) throw new ScimError(400, `the user's attributes exceed ${MAX_STORED} bytes`, "invalidValue");
  for (const [scimName, attr] of Object.entries(SCIM_ATTRIBUTES)) {
    const v = (enterprise?.[scimName] ?? stored[scimName]) as unknown;
    if (typeof v === "string" && v !== "") user.attributes[attr] = v.slice(0, 256);
  }
  return user;
}

/** The User resource of a stored user (RFC 7643 §4.1, §4.3), with its groups and meta. */
export function userResource(record: AccessRecord, groupNames: ReadonlyMap<string, string>, base: string): Record<string, unknown> {
  const { user, scim } = record;
  const stored = (scim ?? {}) as Json;
  const { enterprise, name, externalId, displayName, ...kept } = stored;
  const fallbackName = user.given_name || user.family_name ? { ...(user.given_name ? { givenName: user.given_name } : {}), ...(user.family_name ? { familyName: user.family_name } : {}) } : null;
  const location = `${base}/Users/${user.id}`;
  return {
    schemas: enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...(typeof externalId === "string" ? { externalId } : {}),
    userName: user.email,
    ...(name ? { name } : fallbackName ? { name: fallbackName } : {}),
    ...(typeof displayName === "string" ? { displayName } : user.name ? { displayName: user.name } : {}),
    ...kept,
    ...(kept.emails ? {} : { emails: [{ value: user.email, type: "work", primary: true }] }),
    active: !user.disabled,
    groups: record.access.groups.filter((id) => groupNames.has(id)).map((id) => ({ value: id, display: groupNames.get(id), $ref: `${base}/Groups/${id}` })),
    ...(enterprise ? { [ENTERPRISE_SCHEMA]: enterprise } : {}),
    meta: { resourceType: "User", created: new Date(user.created_at).toISOString(), lastModified: new Date(user.updated_at).toISOString(), location, version: etagOf(record.version) },
  };
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** The version an If-Match header names (`W/"3"`, `"3"`), "*" for any, undefined when absent. */
export function ifMatchOf(header: string | undefined): number | "*" | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw new ScimError(412, "If-Match names no version of this resource");
  return Number(match[1]);
}
