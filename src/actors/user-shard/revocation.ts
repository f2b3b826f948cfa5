import { and, eq } from "drizzle-orm";
import { grants, revokedTokens } from "../../../schema/do/user-shard/tables";
import { ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { liveGrantUser } from "./grants";
import { appendEvent } from "./outbox";
import { familyEnd, grantRef, isCurrent, readFamily, revokeGrant, type RefreshPolicy } from "./refresh";
import { firstRow } from "./raw";
import type { RevokeAccessInput, RevokeRefreshInput, Revoked, IntrospectRefreshInput, RefreshIntrospection, AccessTokenRef } from "./api";

function grantOf(tx: ShardTx, bucket: number, grantId: string) {
  return tx.select().from(grants).where(and(eq(grants.id, grantId), eq(grants.bucket, bucket))).get();
}

/** Remembers a revoked access token by jti until its expiry; INSERT OR IGNORE makes a repeated revocation a no-op. */
export function revokeAccess(tx: ShardTx, input: RevokeAccessInput, now: number): ShardResult<Revoked> {
  const grant = grantOf(tx, input.bucket, input.grantId);
  if (!grant || grant.userId !== input.userId || now >= input.expiresAt) return ok({ revoked: false });
  const inserted = tx
    .insert(revokedTokens)
    .values({ jti: input.jti, bucket: input.bucket, grantId: grant.id, expiresAt: input.expiresAt, revokedAt: now })
    .onConflictDoNothing()
    .returning({ jti: revokedTokens.jti })
    .all();
  if (inserted.length === 0) return ok({ revoked: false });
  appendEvent(
    tx,
    { bucket: input.bucket, type: "token.revoked", userId: grant.userId, clientId: input.clientId, data: { token_type: "access_token", grant: grant.id, jti: input.jti } },
    now,
  );
  return ok({ revoked: true });
}

/**
 * Revokes the whole family of a refresh token, current or retired (RFC 7009 §2.1:
 * the grant's access tokens die with it, since they are checked against the grant).
 * A family that already ended is left as it is: revokeGrant is idempotent.
 */
export function revokeRefresh(sql: SqlStorage, input: RevokeRefreshInput, now: number): ShardResult<Revoked> {
  const family = readFamily(sql, input.bucket, input.grantId);
  // Refresh families are bound to their client (RFC 6749 §6): another client's token is left alone.
  if (!family || family.client_id !== input.clientId || family.revoked_at !== null) return ok({ revoked: false });
  if (!isCurrent(family, input.tokenHash) && !wasIssued(sql, family.id, input.tokenHash)) return ok({ revoked: false });
  revokeGrant(sql, grantRef(family), "revoked_by_client", now);
  appendEvent(sql, { bucket: input.bucket, type: "token.revoked", userId: family.user_id, clientId: family.client_id, data: { token_type: "refresh_token", grant: family.id } }, now);
  return ok({ revoked: true });
}

/** Whether `tokenHash` is a retired token of the family. */
function wasIssued(sql: SqlStorage, grantId: string, tokenHash: string): boolean {
  return firstRow(sql.exec("SELECT 1 AS one FROM refresh_tokens WHERE grant_id = ? AND token_hash = ?", grantId, tokenHash)) !== undefined;
}

/** An access token is active exactly when /userinfo would accept it. */
export function introspectAccess(sql: SqlStorage, token: AccessTokenRef, now: number): ShardResult<{ active: boolean }> {
  return ok({ active: liveGrantUser(sql, token, now).ok });
}

/**
 * A refresh token is active while /token would rotate it: the family's current
 * token with the family alive. Read-only on purpose: a retired token presented
 * here is merely inactive, whereas /token treats its reuse as theft.
 */
export function introspectRefresh(sql: SqlStorage, input: IntrospectRefreshInput, policy: RefreshPolicy, now: number): ShardResult<RefreshIntrospection> {
  const family = readFamily(sql, input.bucket, input.grantId);
  if (!family || family.client_id !== input.clientId || !isCurrent(family, input.tokenHash) || familyEnd(family, policy, now) !== null) {
    return ok({ active: false });
  }
  const end = Math.min(family.expires_at, family.last_used_at + policy.idleTtlS * 1000);
  return ok({
    active: true,
    userId: family.user_id,
    clientId: family.client_id,
    scope: family.scope,
    sid: family.sid,
    // The current token was issued at the family's last rotation (or at redemption).
    iat: Math.floor(family.last_used_at / 1000),
    exp: Math.floor(end / 1000),
  });
}
