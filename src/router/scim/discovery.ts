import type { ScimContext } from "./context";
import { LIST_SCHEMA, MAX_RESULTS } from "./context";
import { MAX_BULK_OPERATIONS, MAX_BULK_PAYLOAD } from "./bulk";
import { GROUP_SCHEMA } from "./groups";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./user-resource";

/**
 * The discovery endpoints (RFC 7644 §4, RFC 7643 §5–§7): what this provider supports,
 * its two resource types, and their schemas (the attributes it keeps, with mutability).
 */

type Attr = Record<string, unknown>;

function attr(name: string, type: string, extra: Attr = {}): Attr {
  return { name, type, multiValued: false, required: false, caseExact: false, mutability: "readWrite", returned: "default", uniqueness: "none", ...extra };
}

const sub = (...names: string[]) => names.map((n) => attr(n, "string"));
const multi = (name: string, subs: Attr[]) => attr(name, "complex", { multiValued: true, subAttributes: subs });
const typed = [...sub("value", "display", "type"), attr("primary", "boolean")];

const USER_ATTRIBUTES = [
  attr("userName", "string", { required: true, uniqueness: "server", description: "The account's email address" }),
  attr("name", "complex", { subAttributes: sub("formatted", "familyName", "givenName") }),
  ...["displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone"].map((n) => attr(n, "string")),
  attr("profileUrl", "reference", { referenceTypes: ["external"] }),
  attr("active", "boolean"),
  attr("password", "string", { mutability: "writeOnly", returned: "never" }),
  multi("emails", typed),
  multi("phoneNumbers", typed),
  multi("addresses", [...sub("formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"), attr("primary", "boolean")]),
  multi("groups", sub("value", "$ref", "display", "type").map((a) => ({ ...a, mutability: "readOnly" }))),
];

const ENTERPRISE_ATTRIBUTES = [
  ...sub("employeeNumber", "costCenter", "organization", "division", "department"),
  attr("manager", "complex", { subAttributes: sub("value", "$ref", "displayName") }),
];

const GROUP_ATTRIBUTES = [attr("displayName", "string", { required: true, uniqueness: "server" }), multi("members", sub("value", "$ref", "type"))];

function schema(id: string, name: string, attributes: Attr[], ctx: ScimContext) {
  return { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], id, name, attributes, meta: { resourceType: "Schema", location: `${ctx.base}/Schemas/${id}` } };
}

export function schemas(ctx: ScimContext) {
  return [schema(USER_SCHEMA, "User", USER_ATTRIBUTES, ctx), schema(ENTERPRISE_SCHEMA, "EnterpriseUser", ENTERPRISE_ATTRIBUTES, ctx), schema(GROUP_SCHEMA, "Group", GROUP_ATTRIBUTES, ctx)];
}

export function resourceTypes(ctx: ScimContext) {
  const meta = (id: string) => ({ resourceType: "ResourceType", location: `${ctx.base}/ResourceTypes/${id}` });
  return [
    { schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "User", name: "User", endpoint: "/Users", schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }], meta: meta("User") },
    { schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], id: "Group", name: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA, meta: meta("Group") },
  ];
}

/** RFC 7643 §5: patch, bulk, filter and etag supported; sort and changePassword not. */
export function serviceProviderConfig(ctx: ScimContext) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${ctx.config.issuer}/#scim-provisioning`,
    patch: { supported: true },
    bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: MAX_BULK_PAYLOAD },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [{ type: "oauthbearertoken", name: "Bearer token", description: "A provisioning token created with the operator API (POST /admin/scim-clients)", primary: true }],
    meta: { resourceType: "ServiceProviderConfig", location: `${ctx.base}/ServiceProviderConfig` },
  };
}

export function listOf(resources: unknown[]) {
  return { schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}
