import { invalidSyntax, ScimError } from "./errors";
import { matchesFilter, parseFilter, type Filter } from "./filter";

/**
 * SCIM PATCH (RFC 7644 §3.5.2) on a resource's JSON: add, replace and remove, with or
 * without a path; paths `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, and
 * schema-qualified (`urn:…:enterprise:2.0:User:department`). Accepts what IdPs send:
 * Entra's capitalised ops ("Replace") and path-less values keyed by dotted paths. The
 * result is validated by the resource's own parser afterwards, like a PUT.
 */

export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const MAX_OPERATIONS = 100;

export interface PatchOperation {
  op: "add" | "replace" | "remove";
  path: string | null;
  value: unknown;
}

type Json = Record<string, unknown>;

const invalidPath = (detail: string) => new ScimError(400, detail, "invalidPath");

/** The operations of a PatchOp body, checked (RFC 7644 §3.5.2: schemas, Operations, op, path). */
export function readPatch(body: unknown): PatchOperation[] {
  const b = body as { schemas?: unknown; Operations?: unknown } | null;
  if (typeof b !== "object" || b === null || !Array.isArray(b.schemas) || !b.schemas.includes(PATCH_SCHEMA)) throw invalidSyntax(`a PATCH body must name the schema ${PATCH_SCHEMA}`);
  if (!Array.isArray(b.Operations) || b.Operations.length === 0) throw invalidSyntax("Operations must be a non-empty array");
  if (b.Operations.length > MAX_OPERATIONS) throw new ScimError(400, `at most ${MAX_OPERATIONS} operations per PATCH`, "tooMany");
  return b.Operations.map((raw: unknown, i: number) => {
    const o = raw as { op?: unknown; path?: unknown; value?: unknown } | null;
    const op = typeof o?.op === "string" ? o.op.toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove") throw invalidSyntax(`Operations[${i}].op must be add, replace or remove`);
    if (o!.path !== undefined && typeof o!.path !== "string") throw invalidPath(`Operations[${i}].path must be a string`);
    const path = (o!.path as string | undefined) ?? null;
    if (op === "remove" && path === null) throw new ScimError(400, `Operations[${i}]: remove needs a path`, "noTarget");
    if (op !== "remove" && o!.value === undefined) throw invalidSyntax(`Operations[${i}]: ${op} needs a value`);
    return { op, path, value: o!.value };
  });
}

interface ParsedPath {
  /** Where the attribute lives: the resource, or an extension's object (its URN). */
  container: string | null;
  attr: string;
  filter: Filter | null;
  sub: string | null;
}

/** Splits a path; `extensions` are the schema URNs whose attributes live in their own object. */
export function parsePath(path: string, coreSchema: string, extensions: readonly string[]): ParsedPath {
  let rest = path;
  let container: string | null = null;
  const ext = extensions.find((u) => rest.toLowerCase().startsWith(`${u.toLowerCase()}:`) || rest.toLowerCase() === u.toLowerCase());
  if (ext !== undefined) {
    if (rest.length === ext.length) return { container: null, attr: ext, filter: null, sub: null };
    container = ext;
    rest = rest.slice(ext.length + 1);
  } else if (rest.toLowerCase().startsWith(`${coreSchema.toLowerCase()}:`)) {
    rest = rest.slice(coreSchema.length + 1);
  }
  const match = /^([A-Za-z][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/.exec(rest);
  if (!match) throw invalidPath(`'${path}' is not a valid attribute path`);
  return { container, attr: match[1]!, filter: match[2] ? parseFilter(match[2]) : null, sub: match[3] ?? null };
}

function keyOf(obj: Json, attr: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === attr.toLowerCase()) ?? attr;
}

function objectAt(resource: Json, container: string | null): Json {
  if (container === null) return resource;
  const key = keyOf(resource, container);
  const existing = resource[key];
  if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) return existing as Json;
  return (resource[key] = {});
}

/** A value filter that names one sub-attribute with eq (`type eq "work"`): what a new element gets. */
function seedOf(filter: Filter): Json | null {
  return filter.op === "eq" && typeof filter.value === "string" ? { [filter.attr]: filter.value } : null;
}

function applyFiltered(target: Json, key: string, op: PatchOperation["op"], p: ParsedPath, value: unknown): void {
  const list = Array.isArray(target[key]) ? (target[key] as unknown[]) : [];
  const hits = list.filter((e) => matchesFilter(p.filter!, e));
  if (op === "remove") {
    if (p.sub === null) target[key] = list.filter((e) => !hits.includes(e));
    else for (const e of hits) delete (e as Json)[keyOf(e as Json, p.sub)];
    return;
  }
  if (hits.length === 0) {
    // Entra replaces `emails[type eq "work"].value` on a user without one: the element is created.
    const seed = seedOf(p.filter!);
    if (seed === null) throw new ScimError(400, `no value of '${p.attr}' matches the filter`, "noTarget");
    target[key] = [...list, p.sub === null ? { ...seed, ...(value as Json) } : { ...seed, [p.sub]: value }];
    return;
  }
  for (const e of hits) {
    if (p.sub === null) Object.assign(e as Json, value as Json);
    else (e as Json)[keyOf(e as Json, p.sub)] = value;
  }
}

function applyAt(resource: Json, op: PatchOperation["op"], p: ParsedPath, value: unknown): void {
  const target = objectAt(resource, p.container);
  const key = keyOf(target, p.attr);
  if (p.filter !== null) return applyFiltered(target, key, op, p, value);
  if (p.sub !== null) {
    const inner = typeof target[key] === "object" && target[key] !== null && !Array.isArray(target[key]) ? (target[key] as Json) : (target[key] = {});
    if (op === "remove") delete (inner as Json)[keyOf(inner as Json, p.sub)];
    else (inner as Json)[keyOf(inner as Json, p.sub)] = value;
    return;
  }
  if (op === "remove") delete target[key];
  else if (op === "add" && Array.isArray(target[key]) && Array.isArray(value)) target[key] = [...(target[key] as unknown[]), ...value];
  else if (op === "add" && isObject(target[key]) && isObject(value)) Object.assign(target[key] as Json, value);
  else target[key] = value;
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Applies the operations to a copy of `resource`; the caller validates the result. */
export function applyPatch(resource: Json, operations: readonly PatchOperation[], coreSchema: string, extensions: readonly string[]): Json {
  const next = structuredClone(resource);
  for (const o of operations) {
    if (o.path !== null) {
      applyAt(next, o.op, parsePath(o.path, coreSchema, extensions), o.value);
      continue;
    }
    if (!isObject(o.value)) throw invalidSyntax("a PATCH operation without a path needs an object value");
    for (const [k, v] of Object.entries(o.value)) {
      const ext = extensions.find((u) => u.toLowerCase() === k.toLowerCase());
      if (ext !== undefined && isObject(v)) Object.assign(objectAt(next, ext), v);
      else applyAt(next, o.op, parsePath(k, coreSchema, extensions), v);
    }
  }
  return next;
}
