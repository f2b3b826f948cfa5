import { and, eq, inArray, isNotNull, lt, or } from "drizzle-orm";
import { expireCibaRequests } from "./ciba";
import { authCodes, cibaRequests, deviceRequests, dpopProofs, grants, refreshTokens, revokedTokens, samlParticipants, sessions, spentAssertions } from "../../../schema/do/user-shard/tables";
import { spentPasskeyChallenges } from "../../../schema/do/user-shard/tables";
import { pushedRequests } from "../../../schema/do/user-shard/tables";
import type { ShardDb } from "./db";
import type { SweepResult } from "./api";

/**
 * Rows deleted per table per transaction: a sweep never holds the shard for long.
 * (Durable Object SQLite binds at most 100 parameters per statement.)
 */
export const SWEEP_BATCH = 90;
/** Dead rows are kept this long after they die, for audit questions and replay answers. */
export const SWEEP_KEEP_MS = 24 * 3600 * 1000;

export interface SweepLimits {
  /** Access tokens outlive nothing longer than this; grants are kept until their tokens expire. */
  accessTokenTtlS: number;
  refreshIdleTtlS: number;
}

/**
 * Deletes expired and long-dead rows in bounded batches, one short transaction per
 * table. Idempotent: running it twice, or concurrently with requests, only deletes
 * rows no request can use any more (each condition matches only dead state).
 */
export function sweepOnce(db: ShardDb, limits: SweepLimits, now: number, sql: SqlStorage): SweepResult {
  const deleted: Record<string, number> = {};
  const keepUntil = now - SWEEP_KEEP_MS;

  deleted.auth_codes = db.transaction((tx) => {
    const rows = tx.select({ k: authCodes.codeHash }).from(authCodes).where(lt(authCodes.expiresAt, keepUntil)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(authCodes).where(inArray(authCodes.codeHash, rows.map((r) => r.k))).run();
    return rows.length;
  });

  // Device requests (RFC 8628) die with their device code; a redeemed one is kept as long, for its replay answer.
  deleted.device_requests = db.transaction((tx) => {
    const rows = tx.select({ k: deviceRequests.deviceCodeHash }).from(deviceRequests).where(lt(deviceRequests.expiresAt, keepUntil)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(deviceRequests).where(inArray(deviceRequests.deviceCodeHash, rows.map((r) => r.k))).run();
    return rows.length;
  });

  // CIBA requests: pending ones past their expiry are marked expired (with their event) first;
  // every row goes after the keep window, kept as long for its replay answer.
  deleted.ciba_expired = db.transaction(() => expireCibaRequests(sql, now, SWEEP_BATCH));
  deleted.ciba_requests = db.transaction((tx) => {
    const rows = tx.select({ k: cibaRequests.requestId }).from(cibaRequests).where(lt(cibaRequests.expiresAt, keepUntil)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(cibaRequests).where(inArray(cibaRequests.requestId, rows.map((r) => r.k))).run();
    return rows.length;
  });

  // Email codes, magic links and resets: dead at their expiry, used or not.
  deleted.email_challenges = db.transaction(() => sql.exec("DELETE FROM email_challenges WHERE handle_hash IN (SELECT handle_hash FROM email_challenges WHERE expires_at < ? LIMIT ?)", keepUntil, SWEEP_BATCH).rowsWritten);

  deleted.sessions = db.transaction((tx) => {
    const rows = tx
      .select({ k: sessions.idHash, sid: sessions.sid })
      .from(sessions)
      .where(or(lt(sessions.expiresAt, keepUntil), lt(sessions.idleExpiresAt, keepUntil), and(isNotNull(sessions.endedAt), lt(sessions.endedAt, keepUntil))))
      .limit(SWEEP_BATCH)
      .all();
    if (rows.length) tx.delete(sessions).where(inArray(sessions.idHash, rows.map((r) => r.k))).run();
    // The SAML SPs of a session that expired without a logout go with it.
    if (rows.length) tx.delete(samlParticipants).where(inArray(samlParticipants.sid, rows.map((r) => r.sid))).run();
    return rows.length;
  });

  // A grant may go once nothing it issued can still be used: past its end, revoked, or
  // (for refresh families) idle — and after its last access token has expired too.
  const tokensDead = now - limits.accessTokenTtlS * 1000;
  deleted.grants = db.transaction((tx) => {
    const rows = tx
      .select({ k: grants.id })
      .from(grants)
      .where(
        or(
          lt(grants.expiresAt, Math.min(tokensDead, keepUntil)),
          and(isNotNull(grants.revokedAt), lt(grants.revokedAt, Math.min(tokensDead, keepUntil))),
          and(eq(grants.offline, true), lt(grants.lastUsedAt, Math.min(tokensDead, keepUntil) - limits.refreshIdleTtlS * 1000)),
        ),
      )
      .limit(SWEEP_BATCH)
      .all();
    if (rows.length) {
      const ids = rows.map((r) => r.k);
      tx.delete(refreshTokens).where(inArray(refreshTokens.grantId, ids)).run();
      tx.delete(grants).where(inArray(grants.id, ids)).run();
    }
    return rows.length;
  });

  // Pushed requests (RFC 9126) are worth nothing once expired: a late /authorize gets the same answer without them.
  deleted.pushed_requests = db.transaction((tx) => {
    const rows = tx.select({ k: pushedRequests.requestHash }).from(pushedRequests).where(lt(pushedRequests.expiresAt, now)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(pushedRequests).where(inArray(pushedRequests.requestHash, rows.map((r) => r.k))).run();
    return rows.length;
  });

  deleted.revoked_tokens = db.transaction((tx) => {
    const rows = tx.select({ k: revokedTokens.jti }).from(revokedTokens).where(lt(revokedTokens.expiresAt, now)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(revokedTokens).where(inArray(revokedTokens.jti, rows.map((r) => r.k))).run();
    return rows.length;
  });

  // DPoP proofs (RFC 9449 §11.1) are remembered only while their iat window is open.
  deleted.dpop_proofs = db.transaction((tx) => {
    const rows = tx.select({ b: dpopProofs.bucket, k: dpopProofs.jtiHash }).from(dpopProofs).where(lt(dpopProofs.expiresAt, now)).limit(SWEEP_BATCH).all();
    for (const r of rows) tx.delete(dpopProofs).where(and(eq(dpopProofs.bucket, r.b), eq(dpopProofs.jtiHash, r.k))).run();
    return rows.length;
  });
  // A spent assertion is refused by its own exp once the row is gone (RFC 7523 §3).
  deleted.spent_assertions = db.transaction((tx) => {
    const rows = tx.select({ k: spentAssertions.keyHash }).from(spentAssertions).where(lt(spentAssertions.expiresAt, now)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(spentAssertions).where(inArray(spentAssertions.keyHash, rows.map((r) => r.k))).run();
    return rows.length;
  });
  // Passkeys: a spent challenge is refused by its own expiry (the signed cookie's exp) once the row is gone.
  deleted.spent_passkey_challenges = db.transaction((tx) => {
    const rows = tx.select({ k: spentPasskeyChallenges.challengeHash }).from(spentPasskeyChallenges).where(lt(spentPasskeyChallenges.expiresAt, now)).limit(SWEEP_BATCH).all();
    if (rows.length) tx.delete(spentPasskeyChallenges).where(inArray(spentPasskeyChallenges.challengeHash, rows.map((r) => r.k))).run();
    return rows.length;
  });

  return { deleted, more: Object.values(deleted).some((n) => n === SWEEP_BATCH) };
}
