import { exports } from "cloudflare:workers";

/** The admin token the test configuration gives the worker (vitest.config.ts). */
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
export const ORIGIN = "http://127.0.0.1:8787";

/** A request to the worker's own fetch handler, as a client would send it; redirects are not followed. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { redirect: "manual", ...init }));
}

/** An operator API request with the admin bearer token and, for objects, a JSON body. */
export function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
  }
  return call(`/admin${path}`, init);
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
