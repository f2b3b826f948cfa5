import { and, eq } from "drizzle-orm";
import { grants, refreshTokens, revokedTokens } from "../../../schema/do/user-shard/tables";
import { ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { liveGrantUser } from "./grants";
import { appendEvent } from "./outbox";
import { liveRefresh, revokeGrant, type RefreshPolicy } from "./refresh";
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
export function revokeRefresh(tx: ShardTx, input: RevokeRefreshInput, now: number): ShardResult<Revoked> {
  const row = tx
    .select({ grantId: refreshTokens.grantId })
    .from(refreshTokens)
    .where(and(eq(refreshTokens.tokenHash, input.tokenHash), eq(refreshTokens.bucket, input.bucket)))
    .get();
  const grant = row && grantOf(tx, input.bucket, row.grantId);
  // Refresh families are bound to their client (RFC 6749 §6): another client's token is left alone.
  if (!grant || grant.clientId !== input.clientId || grant.revokedAt !== null) return ok({ revoked: false });
  revokeGrant(tx, grant, "revoked_by_client", now);
  appendEvent(tx, { bucket: input.bucket, type: "token.revoked", userId: grant.userId, clientId: grant.clientId, data: { token_type: "refresh_token", grant: grant.id } }, now);
  return ok({ revoked: true });
}

/** An access token is active exactly when /userinfo would accept it. */
export function introspectAccess(tx: ShardTx, token: AccessTokenRef, now: number): ShardResult<{ active: boolean }> {
  return ok({ active: liveGrantUser(tx, token, now).ok });
}

/**
 * A refresh token is active while /token would rotate it: the family's current
 * token with the family alive. Read-only on purpose: a retired token presented
 * here is merely inactive, whereas /token treats its reuse as theft.
 */
export function introspectRefresh(tx: ShardTx, input: IntrospectRefreshInput, policy: RefreshPolicy, now: number): ShardResult<RefreshIntrospection> {
  const live = liveRefresh(tx, input.bucket, input.tokenHash, policy, now);
  if (!live || live.grant.clientId !== input.clientId) return ok({ active: false });
  const { row, grant } = live;
  const end = Math.min(grant.expiresAt, grant.lastUsedAt + policy.idleTtlS * 1000);
  return ok({
    active: true,
    userId: grant.userId,
    clientId: grant.clientId,
    scope: grant.scope,
    sid: grant.sid,
    iat: Math.floor(row.createdAt / 1000),
    exp: Math.floor(end / 1000),
  });
}
