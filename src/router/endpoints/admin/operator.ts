import type { Context } from "hono";
import { sha256 } from "../../../oauth/secrets";
import { findAdminToken, touchAdminToken, type TokenScope } from "../../d1/admin-tokens";
import type { OperatorRole } from "../../d1/operators";

/**
 * Who is calling the operator API: the static ADMIN_TOKEN (automation, full access), a
 * scoped operator token (read or full), or an operator signed in to the admin console
 * (viewer or admin). Every audited change names it.
 */
export type Operator =
  | { kind: "token"; tokenId: string | null; name: string; scope: TokenScope }
  | { kind: "console"; userId: string; email: string; role: OperatorRole };

/** What the audit trail says did it: `token:<name>` or `user:<email>`. */
export function operatorLabel(operator: Operator): string {
  return operator.kind === "token" ? `token:${operator.name}` : `user:${operator.email}`;
}

export function mayChange(operator: Operator): boolean {
  return operator.kind === "token" ? operator.scope === "full" : operator.role === "admin";
}

// Keyed by the Request object itself: the console calls the API in-process with a request
// it built, and only code in this isolate holding that object can make it count as signed in.
const byRequest = new WeakMap<Request, Operator>();
// Once the guard has decided, the operator stays with the request's context: middleware
// such as bodyLimit replace c.req.raw with a new Request wrapping the body.
const byContext = new WeakMap<Context, Operator>();

export function actAs(request: Request, operator: Operator): Request {
  byRequest.set(request, operator);
  return request;
}

/** The guard (auth.ts) records who it let in. */
export function admitOperator(c: Context, operator: Operator): void {
  byContext.set(c, operator);
}

export function operatorOf(c: Context): Operator | null {
  return byContext.get(c) ?? byRequest.get(c.req.raw) ?? null;
}

/**
 * Token lookups are cached per isolate for TOKEN_CACHE_MS: a revoked token stops working
 * at once in the isolate that revoked it and within TOKEN_CACHE_MS everywhere else.
 */
export const TOKEN_CACHE_MS = 10_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_ENTRIES = 200;
const cache = new Map<string, { operator: Operator | null; expiresAt: number; touchedAt: number }>();

export async function operatorForToken(d1: D1Database, token: string, now = Date.now()): Promise<Operator | null> {
  const hash = await sha256(token);
  const hit = cache.get(hash);
  if (hit && hit.expiresAt > now) return hit.operator;
  const row = await findAdminToken(d1, hash);
  const operator: Operator | null = row ? { kind: "token", tokenId: row.id, name: row.name, scope: row.scope } : null;
  if (row && (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) && (hit?.touchedAt ?? 0) < now - TOUCH_EVERY_MS) await touchAdminToken(d1, row.id, now);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(hash, { operator, expiresAt: now + TOKEN_CACHE_MS, touchedAt: row ? now : 0 });
  return operator;
}

/** After a revocation: this isolate forgets every cached lookup. */
export function forgetAdminTokens(): void {
  cache.clear();
}
