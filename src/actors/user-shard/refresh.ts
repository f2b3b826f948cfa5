import { eq } from "drizzle-orm";
import { grants } from "../../../schema/do/user-shard/tables";
import { coversScope, formatScope, narrowScope, storedScope } from "../../oauth/scopes";
import { fail, ok, type ShardResult } from "../results";
import type { Rotated, RotateInput } from "./api";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { firstRow, sameHash } from "./raw";
import { userViewOf, USER_COLUMNS, type UserColumns } from "./users";

export interface RefreshPolicy {
  /** Seconds a just-retired token may be presented again to receive the same successor (0 = never). */
  graceS: number;
  /** The family ends after this long without a refresh. */
  idleTtlS: number;
}

/** What ending a grant needs to know of it. */
export interface GrantRef {
  id: string;
  bucket: number;
  userId: string;
  clientId: string;
  revokedAt: number | null;
}

/** Ends a grant: every token issued from it is dead at its next use. Idempotent. */
export function revokeGrant(target: ShardTx | SqlStorage, grant: GrantRef, reason: string, now: number): void {
  if (grant.revokedAt !== null) return;
  if ("exec" in target) target.exec("UPDATE grants SET revoked_at = ?, revoke_reason = ? WHERE id = ?", now, reason, grant.id);
  else target.update(grants).set({ revokedAt: now, revokeReason: reason }).where(eq(grants.id, grant.id)).run();
  appendEvent(target, { bucket: grant.bucket, type: "family.revoked", userId: grant.userId, clientId: grant.clientId, data: { grant: grant.id, reason } }, now);
}

/** A refresh family as one statement reads it: the grant, its user, the consent and the session behind it. */
export interface FamilyRow extends UserColumns {
  id: string;
  bucket: number;
  user_id: string;
  client_id: string;
  sid: string | null;
  scope: string;
  auth_time: number;
  offline: number;
  refresh_hash: string | null;
  refresh_generation: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** DPoP (RFC 9449 §5): the key a public client's family is bound to. */
  dpop_jkt: string | null;
  /** The scope the user still allows this client (consents), null if withdrawn. */
  consented: string | null;
  /** The session's sign-in context while the session is open; null once it ended. */
  session_acr: string | null;
  session_amr: string | null;
  /** The claims parameter of the authorization (OIDC Core §5.5), stored form. */
  claims: string | null;
}

/**
 * One read per rotation: the grant by primary key (the token names it) joined with
 * its user, the user's consent to the client and the open session. The hot path
 * keeps to raw SQL: no query is built per request.
 */
const READ_FAMILY = `SELECT g.id, g.bucket, g.user_id, g.client_id, g.sid, g.scope, g.auth_time, g.offline,
  g.refresh_hash, g.refresh_generation, g.last_used_at, g.expires_at, g.revoked_at, g.dpop_jkt, g.claims,
  ${USER_COLUMNS}, c.scope AS consented, s.acr AS session_acr, s.amr AS session_amr
FROM grants g
LEFT JOIN users u ON u.id = g.user_id
LEFT JOIN consents c ON c.user_id = g.user_id AND c.client_id = g.client_id
LEFT JOIN sessions s ON s.sid = g.sid AND s.ended_at IS NULL
WHERE g.id = ? AND g.bucket = ?`;

export function readFamily(sql: SqlStorage, bucket: number, grantId: string): FamilyRow | undefined {
  return firstRow<FamilyRow>(sql.exec(READ_FAMILY, grantId, bucket));
}

export const grantRef = (row: FamilyRow): GrantRef => ({ id: row.id, bucket: row.bucket, userId: row.user_id, clientId: row.client_id, revokedAt: row.revoked_at });

/** Why a family can no longer refresh, or null if it can. */
export function familyEnd(row: FamilyRow, policy: RefreshPolicy, now: number): string | null {
  if (row.revoked_at !== null) return "revoked";
  if (!row.offline || row.refresh_hash === null) return "not a refresh family";
  if (now >= row.expires_at) return "expired";
  if (now >= row.last_used_at + policy.idleTtlS * 1000) return "idle";
  if (row.u_id === null || row.u_disabled) return "user disabled";
  if (row.consented === null || !coversScope(storedScope(row.consented), storedScope(row.scope))) return "consent revoked";
  return null;
}

/** Whether `tokenHash` is the family's current token (compared in constant time). */
export function isCurrent(row: FamilyRow, tokenHash: string): boolean {
  return row.refresh_hash !== null && sameHash(row.refresh_hash, tokenHash);
}

interface RetiredRow {
  generation: number;
  retired_at: number;
  successor_enc: string | null;
}

const invalidGrant = (detail: string) => fail("invalid_grant", detail);

/**
 * Refresh rotation (RFC 6749 §6, RFC 9700 §4.14) in one transaction: the presented
 * token joins the family's retired tokens and the successor becomes current on the
 * grant row. A retired token presented again is theft unless it comes within the
 * grace window while its successor is still unused, in which case the same successor
 * is handed back (never a second one). A token that names a family but was never
 * issued in it is merely unknown: it revokes nothing.
 *
 * Rows written: the grant (1), the retired token (2 with its bucket index), the
 * audit event (1, and 1 more when the flush deletes it).
 */
export function rotateRefresh(sql: SqlStorage, input: RotateInput, defaults: RefreshPolicy, now: number): ShardResult<Rotated> {
  const policy = input.graceS === null ? defaults : { ...defaults, graceS: input.graceS };
  const family = readFamily(sql, input.bucket, input.grantId);
  // Families are bound to their client (RFC 6749 §6); another client learns nothing.
  if (!family || family.client_id !== input.clientId) return invalidGrant("unknown refresh token");
  // RFC 9449 §5: a bound family refreshes only with a proof of its key. Refused before anything is read as reuse or rotated.
  if (family.dpop_jkt !== null && input.dpop?.jkt !== family.dpop_jkt) return invalidGrant("the refresh token is bound to another DPoP key");

  let outcome: Rotated["outcome"] = "rotated";
  let successorEnc: string | null = null;
  if (!isCurrent(family, input.tokenHash)) {
    const retired = firstRow<RetiredRow>(
      sql.exec("SELECT generation, retired_at, successor_enc FROM refresh_tokens WHERE grant_id = ? AND token_hash = ?", family.id, input.tokenHash),
    );
    if (!retired) return invalidGrant("unknown refresh token");
    const successorUnused = family.refresh_generation === retired.generation + 1;
    const inGrace = policy.graceS > 0 && now - retired.retired_at <= policy.graceS * 1000 && retired.successor_enc !== null && successorUnused;
    if (!inGrace || family.revoked_at !== null) {
      revokeGrant(sql, grantRef(family), "refresh_reuse", now);
      appendEvent(sql, { bucket: family.bucket, type: "refresh.reuse_detected", userId: family.user_id, clientId: family.client_id, data: { grant: family.id, generation: retired.generation } }, now);
      return invalidGrant("refresh token already used; the token family is revoked");
    }
    outcome = "replayed";
    successorEnc = retired.successor_enc;
  }
  const ended = familyEnd(family, policy, now);
  if (ended !== null) {
    if (ended !== "revoked") revokeGrant(sql, grantRef(family), ended.replaceAll(" ", "_"), now);
    return invalidGrant(`the refresh token family has ended (${ended})`);
  }
  const scope = narrowScope(storedScope(family.scope), input.scope === null ? null : storedScope(input.scope));
  if (scope === null) return fail("invalid_scope", "scope exceeds what was granted");
  if (outcome === "rotated") {
    const generation = family.refresh_generation + 1;
    sql.exec(
      "INSERT INTO refresh_tokens (grant_id, token_hash, bucket, generation, retired_at, successor_enc) VALUES (?, ?, ?, ?, ?, ?)",
      family.id,
      input.tokenHash,
      family.bucket,
      family.refresh_generation,
      now,
      input.successorEnc,
    );
    sql.exec("UPDATE grants SET refresh_hash = ?, refresh_generation = ?, last_used_at = ? WHERE id = ?", input.successorHash, generation, now, family.id);
    appendEvent(sql, { bucket: family.bucket, type: "token.issued", userId: family.user_id, clientId: family.client_id, data: { grant: family.id, generation } }, now);
  }
  return ok({
    outcome,
    successorEnc,
    grantId: family.id,
    user: userViewOf(family),
    scope: formatScope(scope),
    sid: family.session_acr !== null ? family.sid : null,
    authTime: family.auth_time,
    acr: family.session_acr ?? "1",
    amr: family.session_amr !== null ? family.session_amr.split(" ").filter(Boolean) : ["pwd"],
    claims: family.claims,
  });
}
