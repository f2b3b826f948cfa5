import { and, eq, isNull } from "drizzle-orm";
import { authCodes, grants, refreshTokens, sessions, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import type { SessionRow } from "./sessions";
import { toView } from "./users";
import type { RedeemInput, Redeemed, UserView } from "./api";
import type { CodeRequest } from "./api";

export function storeCode(tx: ShardTx, session: SessionRow, code: CodeRequest, now: number): void {
  tx.insert(authCodes)
    .values({
      codeHash: code.codeHash,
      bucket: session.bucket,
      userId: session.userId,
      clientId: code.clientId,
      redirectUri: code.redirectUri,
      codeChallenge: code.codeChallenge,
      nonce: code.nonce,
      scope: code.scope,
      sid: session.sid,
      authTime: session.authTime,
      createdAt: now,
      expiresAt: now + code.ttlS * 1000,
      redeemedAt: null,
    })
    .run();
}

const invalidGrant = (detail: string) => fail("invalid_grant", detail);

/**
 * Redeems a code in one transaction. A second presentation of a redeemed code is
 * treated as an attack (RFC 6749 §4.1.2, RFC 9700 §4.5.3.1): it fails and revokes
 * the grant the first redemption created, so its tokens die at their next use.
 */
export function redeemCode(tx: ShardTx, input: RedeemInput, now: number): ShardResult<Redeemed> {
  const code = tx
    .select()
    .from(authCodes)
    .where(and(eq(authCodes.codeHash, input.codeHash), eq(authCodes.bucket, input.bucket)))
    .get();
  if (!code) return invalidGrant("unknown authorization code");
  if (code.redeemedAt !== null) {
    const revoked = tx
      .update(grants)
      .set({ revokedAt: now, revokeReason: "code_replay" })
      .where(and(eq(grants.codeHash, input.codeHash), isNull(grants.revokedAt)))
      .returning({ id: grants.id })
      .all();
    appendEvent(tx, { bucket: input.bucket, type: "code.replayed", userId: code.userId, clientId: code.clientId, data: { revoked_grants: revoked.length } }, now);
    return invalidGrant("authorization code already used; tokens issued from it are revoked");
  }
  if (now >= code.expiresAt) return invalidGrant("authorization code expired");
  if (code.clientId !== input.clientId) return invalidGrant("authorization code was issued to another client");
  if (code.redirectUri !== input.redirectUri) return invalidGrant("redirect_uri does not match the authorization request");
  if (code.codeChallenge === null && input.verifierChallenge !== null) {
    // RFC 9700 §2.1.1: a verifier without a challenge is a downgrade attempt.
    return invalidGrant("code_verifier sent but the authorization request had no code_challenge");
  }
  if (code.codeChallenge !== null && code.codeChallenge !== input.verifierChallenge) {
    return invalidGrant(input.verifierChallenge === null ? "code_verifier is required" : "code_verifier does not match code_challenge");
  }
  tx.update(authCodes).set({ redeemedAt: now }).where(eq(authCodes.codeHash, input.codeHash)).run();

  const user = tx.select().from(users).where(eq(users.id, code.userId)).get();
  if (!user || user.disabled) return invalidGrant("the user is disabled");
  const session = tx.select().from(sessions).where(eq(sessions.sid, code.sid)).get();
  if (!session || session.endedAt !== null) return invalidGrant("the session that authorized this code has ended");

  const offline = input.refreshAllowed && input.refreshTokenHash !== null && code.scope.split(" ").includes("offline_access");
  const scope = offline ? code.scope : code.scope.split(" ").filter((s) => s !== "offline_access").join(" ");
  tx.insert(grants)
    .values({
      id: input.grantId,
      bucket: input.bucket,
      userId: code.userId,
      clientId: code.clientId,
      sid: code.sid,
      scope,
      authTime: code.authTime,
      codeHash: input.codeHash,
      offline,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + (offline ? input.offlineTtlS : input.grantTtlS) * 1000,
      revokedAt: null,
      revokeReason: null,
    })
    .run();
  if (offline && input.refreshTokenHash) {
    tx.insert(refreshTokens)
      .values({ tokenHash: input.refreshTokenHash, bucket: input.bucket, grantId: input.grantId, generation: 0, createdAt: now, retiredAt: null })
      .run();
  }
  appendEvent(tx, { bucket: input.bucket, type: "token.issued", userId: code.userId, clientId: code.clientId, data: { grant: input.grantId, offline } }, now);
  return ok({
    user: toView(user),
    scope,
    sid: code.sid,
    authTime: code.authTime,
    nonce: code.nonce,
    acr: session.acr,
    amr: session.amr.split(" ").filter(Boolean),
    refreshIssued: offline,
  });
}
