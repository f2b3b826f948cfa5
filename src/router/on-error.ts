import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../config";
import { OAuthError } from "./errors";

/**
 * The one place errors become responses: JSON `{ error, error_description }` with
 * `Cache-Control: no-store`. Anything that is not an OAuthError is logged with its
 * detail and answered as a generic 500 — never a stack trace to the client.
 */
export function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new OAuthError("invalid_request", 413, "request body too large");
    if (error.status >= 400 && error.status < 500) {
      return new OAuthError("invalid_request", 400, error.message || "bad request");
    }
  }
  if (error instanceof ConfigError) {
    return new OAuthError("server_error", 500, "the provider is misconfigured", { detail: error.message });
  }
  return new OAuthError("server_error", 500, "internal error", { detail: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}

export function errorResponse(error: OAuthError): Response {
  const headers = new Headers({
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    Pragma: "no-cache",
    ...error.headers,
  });
  return new Response(JSON.stringify({ error: error.code, error_description: error.description }), {
    status: error.status,
    headers,
  });
}

export function onError(error: unknown, c: Context): Response {
  const oauth = toOAuthError(error);
  if (oauth.status >= 500) {
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} -> ${oauth.status} ${oauth.code}`, oauth.detail ?? "");
  }
  return errorResponse(oauth);
}

/** The answer to a path no route serves (the router's and every lazily loaded sub-app's). */
export function notFound(c: Context): Response {
  return onError(new OAuthError("not_found", 404, "no such endpoint"), c);
}
