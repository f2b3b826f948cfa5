import { inD1 } from "./unavailable";

/**
 * The operators table (schema/d1 `operators`): the deployment-level grant that lets a
 * user into the admin console. Plain prepared statements, as for clients.
 */
export type OperatorRole = "viewer" | "admin";
export const OPERATOR_ROLES: readonly OperatorRole[] = ["viewer", "admin"];

export interface OperatorRow {
  user_id: string;
  role: OperatorRole;
  granted_at: number;
  granted_by: string;
}

const WHAT = "the operator list";

export async function operatorRole(d1: D1Database, userId: string): Promise<OperatorRole | null> {
  const row = await inD1(WHAT, () => d1.prepare("SELECT role FROM operators WHERE user_id = ?").bind(userId).first<{ role: string }>());
  return row && (OPERATOR_ROLES as readonly string[]).includes(row.role) ? (row.role as OperatorRole) : null;
}

export async function listOperators(d1: D1Database): Promise<OperatorRow[]> {
  const { results } = await inD1(WHAT, () => d1.prepare("SELECT user_id, role, granted_at, granted_by FROM operators ORDER BY granted_at").all<OperatorRow>());
  return results;
}

/** Grants (or changes) a role; `grantedBy` names who did it (an operator's email or a token's name). */
export async function grantOperator(d1: D1Database, userId: string, role: OperatorRole, grantedBy: string, now: number): Promise<OperatorRow> {
  await inD1(WHAT, () =>
    d1
      .prepare("INSERT INTO operators (user_id, role, granted_at, granted_by) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at, granted_by = excluded.granted_by")
      .bind(userId, role, now, grantedBy)
      .run(),
  );
  return { user_id: userId, role, granted_at: now, granted_by: grantedBy };
}

/** True when there was a grant to remove. */
export async function revokeOperator(d1: D1Database, userId: string): Promise<boolean> {
  const done = await inD1(WHAT, () => d1.prepare("DELETE FROM operators WHERE user_id = ?").bind(userId).run());
  return done.meta.changes > 0;
}
