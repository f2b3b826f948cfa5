import type { Env } from "../../env";
import type { Config } from "../../config";

/** What every SCIM operation needs: bindings, config, the provisioning client, the base URL of /scim/v2. */
export interface ScimContext {
  env: Env;
  config: Config;
  /** The SCIM client's id (scim_clients), recorded as the actor of every change. */
  clientId: string;
  base: string;
}

/** An operation's outcome, turned into a response by the route or into a Bulk operation's result. */
export interface ScimResult {
  status: number;
  body?: Record<string, unknown>;
  version?: number;
  location?: string;
}

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const MAX_RESULTS = 100;

/** startIndex and count (RFC 7644 §3.4.2.4): 1-based; count capped at MAX_RESULTS; bad values fall back to defaults. */
export function pageOf(query: { startIndex?: string | undefined; count?: string | undefined }): { offset: number; limit: number; startIndex: number } {
  const start = Number.parseInt(query.startIndex ?? "1", 10);
  const count = Number.parseInt(query.count ?? String(MAX_RESULTS), 10);
  const startIndex = Number.isFinite(start) && start >= 1 ? start : 1;
  const limit = Number.isFinite(count) ? Math.min(Math.max(count, 0), MAX_RESULTS) : MAX_RESULTS;
  return { offset: startIndex - 1, limit, startIndex };
}

/** attributes / excludedAttributes (RFC 7644 §3.4.2.5), on top-level attributes; id, schemas and meta always stay. */
export function project(resource: Record<string, unknown>, attributes: string | undefined, excluded: string | undefined): Record<string, unknown> {
  const names = (s: string | undefined) => (s ? s.split(",").map((a) => a.trim().replace(/^urn:ietf:params:scim:schemas:core:2\.0:\w+:/i, "").split(".")[0]!.toLowerCase()) : []);
  const keep = names(attributes);
  const drop = names(excluded);
  const always = new Set(["id", "schemas", "meta"]);
  return Object.fromEntries(
    Object.entries(resource).filter(([k]) => always.has(k) || (keep.length > 0 ? keep.includes(k.toLowerCase()) : !drop.includes(k.toLowerCase()))),
  );
}
