import type { ScimContext, ScimResult } from "./context";
import { asScimError, errorBody, invalidSyntax, ScimError } from "./errors";
import { createScimGroup, deleteScimGroup, patchScimGroup, replaceScimGroup } from "./groups";
import { etagOf, ifMatchOf } from "./user-resource";
import { createScimUser, deleteScimUser, patchScimUser, replaceScimUser } from "./users";

/**
 * /Bulk (RFC 7644 §3.7): operations run one after another, each as if sent alone (so
 * each is all-or-nothing by itself, not the batch); `bulkId:` references to resources
 * created earlier in the request are resolved; failOnErrors stops after that many errors.
 */

export const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
export const MAX_BULK_OPERATIONS = 100;
export const MAX_BULK_PAYLOAD = 1024 * 1024;

interface BulkOperation {
  method: string;
  bulkId?: string;
  path: string;
  data?: unknown;
  version?: string;
}

type Route = { type: "Users" | "Groups"; id: string | null };

function routeOf(path: string): Route {
  const match = /^\/(Users|Groups)(?:\/([A-Za-z0-9_-]{1,64}))?$/.exec(path);
  if (!match) throw new ScimError(400, `path '${path}' is not /Users, /Groups or one of their resources`, "invalidPath");
  return { type: match[1] as Route["type"], id: match[2] ?? null };
}

/** Runs one operation of either resource type. */
async function dispatch(ctx: ScimContext, method: string, route: Route, data: unknown, ifMatch: number | "*" | undefined): Promise<ScimResult> {
  const users = route.type === "Users";
  if (method === "POST" && route.id === null) return users ? createScimUser(ctx, data) : createScimGroup(ctx, data);
  if (route.id === null) throw new ScimError(400, `${method} needs a resource path`, "invalidPath");
  if (method === "PUT") return users ? replaceScimUser(ctx, route.id, data, ifMatch) : replaceScimGroup(ctx, route.id, data, ifMatch);
  if (method === "PATCH") return users ? patchScimUser(ctx, route.id, data, ifMatch) : patchScimGroup(ctx, route.id, data, ifMatch);
  if (method === "DELETE") return users ? deleteScimUser(ctx, route.id, ifMatch) : deleteScimGroup(ctx, route.id, ifMatch);
  throw invalidSyntax(`method must be POST, PUT, PATCH or DELETE`);
}

/** Replaces "bulkId:x" with the id created for x (RFC 7644 §3.7.2); an unknown one fails the operation. */
function resolve(text: string, created: ReadonlyMap<string, string>): string {
  return text.replace(/bulkId:([A-Za-z0-9._~-]{1,64})/g, (_, id: string) => {
    const resolved = created.get(id);
    if (resolved === undefined) throw new ScimError(409, `bulkId:${id} names no resource created earlier in this request`, "invalidValue");
    return resolved;
  });
}

function readOperations(body: unknown): { failOnErrors: number; operations: BulkOperation[] } {
  const b = body as { schemas?: unknown; Operations?: unknown; failOnErrors?: unknown } | null;
  if (typeof b !== "object" || b === null || !Array.isArray(b.schemas) || !b.schemas.includes(BULK_REQUEST)) throw invalidSyntax(`a Bulk body must name the schema ${BULK_REQUEST}`);
  if (!Array.isArray(b.Operations) || b.Operations.length === 0) throw invalidSyntax("Operations must be a non-empty array");
  if (b.Operations.length > MAX_BULK_OPERATIONS) throw new ScimError(413, `at most ${MAX_BULK_OPERATIONS} operations per Bulk request (maxOperations)`, "tooMany");
  if (b.failOnErrors !== undefined && (!Number.isInteger(b.failOnErrors) || (b.failOnErrors as number) < 1)) throw invalidSyntax("failOnErrors must be a positive integer");
  for (const [i, o] of (b.Operations as BulkOperation[]).entries()) {
    if (typeof o !== "object" || o === null || typeof o.method !== "string" || typeof o.path !== "string") throw invalidSyntax(`Operations[${i}] needs a method and a path`);
    if (o.method.toUpperCase() === "POST" && typeof o.bulkId !== "string") throw invalidSyntax(`Operations[${i}]: POST needs a bulkId`);
  }
  return { failOnErrors: (b.failOnErrors as number | undefined) ?? Number.POSITIVE_INFINITY, operations: b.Operations as BulkOperation[] };
}

/** POST /Bulk. `raw` is the body as received, so its size is checked before it is parsed. */
export async function runBulk(ctx: ScimContext, raw: string): Promise<Record<string, unknown>> {
  if (new TextEncoder().encode(raw).length > MAX_BULK_PAYLOAD) throw new ScimError(413, `the Bulk request is larger than ${MAX_BULK_PAYLOAD} bytes (maxPayloadSize)`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalidSyntax("the body is not valid JSON");
  }
  const { failOnErrors, operations } = readOperations(body);
  const created = new Map<string, string>();
  const results: Record<string, unknown>[] = [];
  let errors = 0;
  for (const o of operations) {
    if (errors >= failOnErrors) break;
    const method = o.method.toUpperCase();
    const head = { method, ...(o.bulkId ? { bulkId: o.bulkId } : {}) };
    try {
      const route = routeOf(resolve(o.path, created));
      const data = o.data === undefined ? undefined : JSON.parse(resolve(JSON.stringify(o.data), created));
      const result = await dispatch(ctx, method, route, data, ifMatchOf(o.version));
      const id = (result.body?.id as string | undefined) ?? route.id;
      if (method === "POST" && o.bulkId && id) created.set(o.bulkId, id);
      results.push({ ...head, ...(id ? { location: `${ctx.base}/${route.type}/${id}` } : {}), ...(result.version !== undefined ? { version: etagOf(result.version) } : {}), status: String(result.status) });
    } catch (error) {
      errors++;
      const scim = asScimError(error);
      results.push({ ...head, status: String(scim.status), response: errorBody(scim) });
    }
  }
  return { schemas: [BULK_RESPONSE], Operations: results };
}
