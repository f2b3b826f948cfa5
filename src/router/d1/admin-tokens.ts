import { inD1 } from "./unavailable";

/**
 * The admin_tokens table (schema/d1): scoped, revocable operator API tokens, kept as
 * the SHA-256 of the secret only. `read` tokens may only read; `full` may change.
 */
export type TokenScope = "read" | "full";
export const TOKEN_SCOPES: readonly TokenScope[] = ["read", "full"];

export interface AdminTokenRow {
  id: string;
  name: string;
  scope: TokenScope;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const WHAT = "the operator token list";
const COLUMNS = "id, name, scope, created_by, created_at, last_used_at, revoked_at";

export async function insertAdminToken(d1: D1Database, row: Omit<AdminTokenRow, "last_used_at" | "revoked_at">, tokenHash: string): Promise<void> {
  await inD1(WHAT, () =>
    d1
      .prepare("INSERT INTO admin_tokens (id, name, token_hash, scope, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(row.id, row.name, tokenHash, row.scope, row.created_by, row.created_at)
      .run(),
  );
}

/** The live (unrevoked) token with this hash, or null. */
export async function findAdminToken(d1: D1Database, tokenHash: string): Promise<AdminTokenRow | null> {
  return inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM admin_tokens WHERE token_hash = ? AND revoked_at IS NULL`).bind(tokenHash).first<AdminTokenRow>());
}

export async function listAdminTokens(d1: D1Database): Promise<AdminTokenRow[]> {
  const { results } = await inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM admin_tokens ORDER BY created_at DESC LIMIT 500`).all<AdminTokenRow>());
  return results;
}

/** True when a live token was revoked by this call. */
export async function revokeAdminToken(d1: D1Database, id: string, now: number): Promise<boolean> {
  const done = await inD1(WHAT, () => d1.prepare("UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").bind(now, id).run());
  return done.meta.changes > 0;
}

/** Written at most once a minute per token (the lookup cache decides), so reads stay reads. */
export async function touchAdminToken(d1: D1Database, id: string, now: number): Promise<void> {
  await inD1(WHAT, () => d1.prepare("UPDATE admin_tokens SET last_used_at = ? WHERE id = ?").bind(now, id).run());
}
