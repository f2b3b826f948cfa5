import { admin, call, json } from "../helpers/http";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** A provisioning client's token, made through the operator API. */
export async function scimToken(name = "test IdP"): Promise<string> {
  const res = await admin("POST", "/scim-clients", { name });
  if (res.status !== 201) throw new Error(`scim client: ${res.status} ${await res.text()}`);
  return (await json<{ token: string }>(res)).token;
}

/** One SCIM request as an IdP sends it. */
export function scim(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: "application/scim+json", ...(body === undefined ? {} : { "Content-Type": "application/scim+json" }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

export function uniqueEmail(prefix = "scim"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 10)}@corp.example`;
}

export function newUser(email = uniqueEmail(), extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER_SCHEMA], userName: email, name: { givenName: "Grace", familyName: "Hopper" }, emails: [{ value: email, type: "work", primary: true }], active: true, ...extra };
}
