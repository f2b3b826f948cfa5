import { and, eq, isNull } from "drizzle-orm";
import { grants, refreshTokens, sessions, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import { coversScopes, grantedScopes } from "./consents";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { toView } from "./users";
import type { RotateInput, Rotated, UserView } from "./api";

type GrantRow = typeof grants.$inferSelect;
type RefreshRow = typeof refreshTokens.$inferSelect;

export interface RefreshPolicy {
  /** Seconds a just-retired token may be presented again to receive the same successor (0 = never). */
  graceS: number;
  /** The family ends after this long without a refresh. */
  idleTtlS: number;
}

/** Ends a grant: every token issued from it is dead at its next use. Idempotent. */
export function revokeGrant(tx: ShardTx, grant: GrantRow, reason: string, now: number): void {
  if (grant.revokedAt !== null) return;
  tx.update(grants).set({ revokedAt: now, revokeReason: reason }).where(eq(grants.id, grant.id)).run();
  appendEvent(tx, { bucket: grant.bucket, type: "family.revoked", userId: grant.userId, clientId: grant.clientId, data: { grant: grant.id, reason } }, now);
}

/** Why a grant's family can no longer refresh, or null if it can. */
function familyEnd(tx: ShardTx, grant: GrantRow, policy: RefreshPolicy, now: number): string | null {
  if (grant.revokedAt !== null) return "revoked";
  if (!grant.offline) return "not a refresh family";
  if (now >= grant.expiresAt) return "expired";
  if (now >= grant.lastUsedAt + policy.idleTtlS * 1000) return "idle";
  const user = tx.select({ disabled: users.disabled }).from(users).where(eq(users.id, grant.userId)).get();
  if (!user || user.disabled) return "user disabled";
  if (!coversScopes(grantedScopes(tx, grant.bucket, grant.userId, grant.clientId), grant.scope)) return "consent revoked";
  return null;
}

/** The refresh token row if it is the family's current token and the family is alive. */
export function liveRefresh(tx: ShardTx, bucket: number, tokenHash: string, policy: RefreshPolicy, now: number): { row: RefreshRow; grant: GrantRow } | null {
  const row = tx.select().from(refreshTokens).where(and(eq(refreshTokens.tokenHash, tokenHash), eq(refreshTokens.bucket, bucket))).get();
  if (!row || row.retiredAt !== null) return null;
  const grant = tx.select().from(grants).where(eq(grants.id, row.grantId)).get();
  if (!grant || familyEnd(tx, grant, policy, now) !== null) return null;
  return { row, grant };
}

const invalidGrant = (detail: string) => fail("invalid_grant", detail);

/**
 * Refresh rotation (RFC 6749 §6, RFC 9700 §4.14) in one transaction: the current
 * token is retired and its successor stored. A retired token presented again is
 * theft unless it comes within the grace window while its successor is still
 * unused, in which case the same successor is handed back (never a second one).
 */
export function rotateRefresh(tx: ShardTx, input: RotateInput, defaults: RefreshPolicy, now: number): ShardResult<Rotated> {
  const policy = input.graceS === null ? defaults : { ...defaults, graceS: input.graceS };
  const row = tx.select().from(refreshTokens).where(and(eq(refreshTokens.tokenHash, input.tokenHash), eq(refreshTokens.bucket, input.bucket))).get();
  if (!row) return invalidGrant("unknown refresh token");
  const grant = tx.select().from(grants).where(eq(grants.id, row.grantId)).get();
  if (!grant) return invalidGrant("unknown refresh token");
  // Families are bound to their client (RFC 6749 §6); another client learns nothing.
  if (grant.clientId !== input.clientId) return invalidGrant("unknown refresh token");

  let outcome: Rotated["outcome"] = "rotated";
  if (row.retiredAt !== null) {
    const successor = tx
      .select({ retiredAt: refreshTokens.retiredAt })
      .from(refreshTokens)
      .where(and(eq(refreshTokens.grantId, grant.id), eq(refreshTokens.generation, row.generation + 1)))
      .get();
    const inGrace = policy.graceS > 0 && now - row.retiredAt <= policy.graceS * 1000 && row.successorEnc !== null && successor?.retiredAt === null;
    if (!inGrace || grant.revokedAt !== null) {
      revokeGrant(tx, grant, "refresh_reuse", now);
      appendEvent(tx, { bucket: grant.bucket, type: "refresh.reuse_detected", userId: grant.userId, clientId: grant.clientId, data: { grant: grant.id, generation: row.generation } }, now);
      return invalidGrant("refresh token already used; the token family is revoked");
    }
    outcome = "replayed";
  }
  const ended = familyEnd(tx, grant, policy, now);
  if (ended !== null) {
    if (ended !== "revoked") revokeGrant(tx, grant, ended.replaceAll(" ", "_"), now);
    return invalidGrant(`the refresh token family has ended (${ended})`);
  }
  let scope = grant.scope;
  if (input.scope !== null) {
    const granted = new Set(grant.scope.split(" "));
    if (!input.scope.split(" ").every((s) => granted.has(s))) return fail("invalid_scope", "scope exceeds what was granted");
    scope = input.scope;
  }
  if (outcome === "rotated") {
    tx.update(refreshTokens).set({ retiredAt: now, successorEnc: input.successorEnc }).where(eq(refreshTokens.tokenHash, row.tokenHash)).run();
    tx.insert(refreshTokens)
      .values({ tokenHash: input.successorHash, bucket: grant.bucket, grantId: grant.id, generation: row.generation + 1, createdAt: now, retiredAt: null, successorEnc: null })
      .run();
  }
  tx.update(grants).set({ lastUsedAt: now }).where(eq(grants.id, grant.id)).run();
  if (outcome === "rotated") {
    appendEvent(tx, { bucket: grant.bucket, type: "token.issued", userId: grant.userId, clientId: grant.clientId, data: { grant: grant.id, generation: row.generation + 1 } }, now);
  }
  const user = tx.select().from(users).where(eq(users.id, grant.userId)).get()!;
  const session = grant.sid ? tx.select().from(sessions).where(and(eq(sessions.sid, grant.sid), isNull(sessions.endedAt))).get() : undefined;
  return ok({
    outcome,
    successorEnc: outcome === "replayed" ? row.successorEnc : null,
    grantId: grant.id,
    user: toView(user),
    scope,
    sid: session ? grant.sid : null,
    authTime: grant.authTime,
    acr: session?.acr ?? "1",
    amr: session ? session.amr.split(" ").filter(Boolean) : ["pwd"],
  });
}
