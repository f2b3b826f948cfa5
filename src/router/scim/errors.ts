import type { Context } from "hono";
import { OAuthError } from "../errors";

export const SCIM_MEDIA_TYPE = "application/scim+json";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.12 scimType values this provider answers with. */
export type ScimType = "invalidFilter" | "tooMany" | "uniqueness" | "mutability" | "invalidSyntax" | "invalidPath" | "noTarget" | "invalidValue" | "invalidVers" | "sensitive";

/** A refusal in the SCIM error schema (RFC 7644 §3.12): an HTTP status, a scimType where one fits, a detail. */
export class ScimError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 500 | 501 | 503,
    readonly detail: string,
    readonly scimType?: ScimType,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");
export const invalidSyntax = (detail: string) => new ScimError(400, detail, "invalidSyntax");
export const notFound = (what: string) => new ScimError(404, `${what} not found`);
export const preconditionFailed = () => new ScimError(412, "the resource has changed: its version does not match If-Match");

export function errorBody(error: ScimError) {
  return { schemas: [ERROR_SCHEMA], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.detail };
}

/** Any error as a ScimError: an OAuthError keeps its status and description; anything else is a logged 500. */
export function asScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof OAuthError) {
    const status = ([400, 401, 403, 404, 409, 413, 415, 429, 503] as const).find((s) => s === error.status) ?? 500;
    return new ScimError(status, error.description, status === 409 ? "uniqueness" : status === 400 ? "invalidValue" : undefined, error.headers);
  }
  console.error(JSON.stringify({ level: "error", event: "scim.exception", error: error instanceof Error ? error.message : String(error) }));
  return new ScimError(500, "internal error");
}

export function scimErrorResponse(c: Context, error: unknown): Response {
  const scim = asScimError(error);
  return c.body(JSON.stringify(errorBody(scim)), scim.status, { "Content-Type": SCIM_MEDIA_TYPE, "Cache-Control": "no-store", ...scim.headers });
}
