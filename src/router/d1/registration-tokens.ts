import { noteD1 } from "../observability/trace";
import type { registrationTokens } from "../../../schema/d1/tables";
import { inD1 } from "./unavailable";

/** An initial access token as stored: its policy, uses and expiry, and only the SHA-256 of the token. */
export type RegistrationTokenRow = typeof registrationTokens.$inferSelect;

/** Every statement goes through inD1: D1 down is a 503, not a 500. */
const TOKENS = "client registration";

const COLUMNS = "id, token_hash, label, grant_types, scope, token_endpoint_auth_methods, max_uses, used, expires_at, created_at";

interface StoredToken {
  id: string;
  token_hash: string;
  label: string | null;
  grant_types: string;
  scope: string;
  token_endpoint_auth_methods: string | null;
  max_uses: number;
  used: number;
  expires_at: number;
  created_at: number;
}

function rowOf(s: StoredToken): RegistrationTokenRow {
  return {
    id: s.id,
    tokenHash: s.token_hash,
    label: s.label,
    grantTypes: JSON.parse(s.grant_types) as string[],
    scope: s.scope,
    tokenEndpointAuthMethods: s.token_endpoint_auth_methods === null ? null : (JSON.parse(s.token_endpoint_auth_methods) as string[]),
    maxUses: s.max_uses,
    used: s.used,
    expiresAt: s.expires_at,
    createdAt: s.created_at,
  };
}

export async function insertRegistrationToken(d1: D1Database, row: RegistrationTokenRow): Promise<void> {
  noteD1();
  const insert = d1
    .prepare(`INSERT INTO registration_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .bind(
      row.id,
      row.tokenHash,
      row.label,
      JSON.stringify(row.grantTypes),
      row.scope,
      row.tokenEndpointAuthMethods === null ? null : JSON.stringify(row.tokenEndpointAuthMethods),
      row.maxUses,
      row.used,
      row.expiresAt,
      row.createdAt,
    );
  await inD1(TOKENS, () => insert.run());
}

/** Newest first. Expired and used-up tokens stay listed until an operator deletes them. */
export async function listRegistrationTokens(d1: D1Database): Promise<RegistrationTokenRow[]> {
  noteD1();
  const { results } = await inD1(TOKENS, () => d1.prepare(`SELECT ${COLUMNS} FROM registration_tokens ORDER BY created_at DESC, id`).all<StoredToken>());
  return results.map(rowOf);
}

export async function deleteRegistrationToken(d1: D1Database, id: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(TOKENS, () => d1.prepare("DELETE FROM registration_tokens WHERE id = ? RETURNING id").bind(id).all());
  return results.length === 1;
}

/** The token with this hash, whatever its state (the caller tells expired and used up apart). */
export async function findRegistrationToken(d1: D1Database, tokenHash: string): Promise<RegistrationTokenRow | null> {
  noteD1();
  const stored = await inD1(TOKENS, () => d1.prepare(`SELECT ${COLUMNS} FROM registration_tokens WHERE token_hash = ?`).bind(tokenHash).first<StoredToken>());
  return stored ? rowOf(stored) : null;
}

/**
 * Takes one use of the token, in one statement that also checks there is one left
 * and that it has not expired: of registrations racing for the last use, SQLite
 * runs this statement for one at a time and only the first changes a row.
 * Run in a batch before the client's INSERT, which checks `changes()`.
 */
export function consumeRegistrationToken(d1: D1Database, tokenHash: string, now: number): D1PreparedStatement {
  return d1.prepare("UPDATE registration_tokens SET used = used + 1 WHERE token_hash = ? AND used < max_uses AND expires_at > ?").bind(tokenHash, now);
}
