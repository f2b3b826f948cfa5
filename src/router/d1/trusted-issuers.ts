import { noteD1 } from "../observability/trace";
import type { trustedIssuers } from "../../../schema/d1/tables";
import { inD1 } from "./unavailable";

/** An issuer the operator trusts for the JWT bearer grant (RFC 7523 §2.1), as stored. */
export type TrustedIssuerRow = typeof trustedIssuers.$inferSelect;

/** As the operator API shows it. */
export function trustedIssuerView(row: TrustedIssuerRow) {
  return {
    issuer: row.issuer,
    jwks: row.jwks,
    jwks_uri: row.jwksUri,
    audiences: row.audiences,
    subject_type: row.subjectType,
    scope: row.scope,
    max_lifetime_s: row.maxLifetimeS,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

interface Stored {
  issuer: string;
  jwks: string | null;
  jwks_uri: string | null;
  audiences: string;
  subject_type: string;
  scope: string;
  max_lifetime_s: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = "issuer, jwks, jwks_uri, audiences, subject_type, scope, max_lifetime_s, created_at, updated_at";
const WHAT = "the trusted issuer registry";

function rowOf(s: Stored): TrustedIssuerRow {
  return {
    issuer: s.issuer,
    jwks: s.jwks === null ? null : (JSON.parse(s.jwks) as TrustedIssuerRow["jwks"]),
    jwksUri: s.jwks_uri,
    audiences: JSON.parse(s.audiences) as string[],
    subjectType: s.subject_type,
    scope: s.scope,
    maxLifetimeS: s.max_lifetime_s,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

export async function getTrustedIssuerRow(d1: D1Database, issuer: string): Promise<TrustedIssuerRow | null> {
  noteD1();
  const stored = await inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM trusted_issuers WHERE issuer = ?`).bind(issuer).first<Stored>());
  return stored ? rowOf(stored) : null;
}

export async function listTrustedIssuerRows(d1: D1Database): Promise<TrustedIssuerRow[]> {
  noteD1();
  const { results } = await inD1(WHAT, () => d1.prepare(`SELECT ${COLUMNS} FROM trusted_issuers ORDER BY issuer`).all<Stored>());
  return results.map(rowOf);
}

/** Creates or replaces the issuer's entry (created_at kept on replace); the stored row, and whether it is new. */
export async function putTrustedIssuerRow(d1: D1Database, row: TrustedIssuerRow): Promise<{ row: TrustedIssuerRow; created: boolean }> {
  noteD1();
  const stored = await inD1(WHAT, () =>
    d1
      .prepare(
        `INSERT INTO trusted_issuers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (issuer) DO UPDATE SET jwks = excluded.jwks, jwks_uri = excluded.jwks_uri, audiences = excluded.audiences,
           subject_type = excluded.subject_type, scope = excluded.scope, max_lifetime_s = excluded.max_lifetime_s, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
      )
      .bind(row.issuer, row.jwks === null ? null : JSON.stringify(row.jwks), row.jwksUri, JSON.stringify(row.audiences), row.subjectType, row.scope, row.maxLifetimeS, row.createdAt, row.updatedAt)
      .first<Stored>(),
  );
  const saved = rowOf(stored!);
  return { row: saved, created: saved.createdAt === row.createdAt };
}

export async function deleteTrustedIssuerRow(d1: D1Database, issuer: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(WHAT, () => d1.prepare("DELETE FROM trusted_issuers WHERE issuer = ? RETURNING issuer").bind(issuer).all());
  return results.length === 1;
}
