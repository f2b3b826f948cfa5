import { and, eq, isNull } from "drizzle-orm";
import { recoveryCodes, sessions, totpFactors } from "../../../schema/do/user-shard/tables";
import { ACR_MFA, AMR_MFA } from "../../oauth/acr";
import { fail, ok, type ShardResult } from "../results";
import type { AuthorizationAsk, LoginOutcome, SecondFactorChallenge, SecondFactorProof, SecondFactorTarget } from "./api";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { createSession, liveSession, type SessionLifetimes, type SessionRow } from "./sessions";
import { issueOrAskConsent, loginDelayS } from "./sign-in";
import { findUser } from "./users";

export type TotpRow = typeof totpFactors.$inferSelect;

export function totpFactor(tx: ShardTx, bucket: number, userId: string): TotpRow | undefined {
  return tx.select().from(totpFactors).where(and(eq(totpFactors.userId, userId), eq(totpFactors.bucket, bucket))).get();
}

/** Wrong codes slow the account down like wrong passwords (sign-in.ts): 5 free, then 1, 2, 4 ... seconds. */
export function codeRetryAfterS(row: TotpRow, now: number): number {
  const wait = loginDelayS(row.failedCount) * 1000 - (now - (row.lastFailedAt ?? 0));
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

export function secondFactorChallenge(tx: ShardTx, bucket: number, userId: string, now: number): ShardResult<SecondFactorChallenge> {
  const row = totpFactor(tx, bucket, userId);
  if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
  return ok({ sealedSecret: row?.sealedSecret ?? null, retryAfterS: row ? codeRetryAfterS(row, now) : 0 });
}

/** Spends one unused recovery code; false if it is unknown or was used. */
function spendRecoveryCode(tx: ShardTx, bucket: number, userId: string, codeHash: string, now: number): boolean {
  const spent = tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.bucket, bucket), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ codeHash: recoveryCodes.codeHash })
    .all();
  return spent.length === 1;
}

export type ProofCheck = { ok: true; via: "totp" | "recovery" } | { ok: false; retryAfterS: number };

/**
 * Checks a proof against the factor and records the outcome, in the caller's transaction:
 * a TOTP step is accepted only after the last accepted one (RFC 6238 §5.2: a verifier must
 * not accept the second attempt of the same OTP); a recovery code only once. Wrong
 * proofs count towards the slow-down; a slowed-down account is not checked at all.
 */
export function checkProof(tx: ShardTx, row: TotpRow, proof: SecondFactorProof, now: number): ProofCheck {
  const waiting = codeRetryAfterS(row, now);
  if (waiting > 0) return { ok: false, retryAfterS: waiting };
  const where = eq(totpFactors.userId, row.userId);
  if (proof.kind === "totp" && proof.step !== null && proof.step > row.lastStep) {
    tx.update(totpFactors).set({ lastStep: proof.step, failedCount: 0, lastFailedAt: null }).where(where).run();
    return { ok: true, via: "totp" };
  }
  if (proof.kind === "recovery" && row.confirmedAt !== null && spendRecoveryCode(tx, row.bucket, row.userId, proof.codeHash, now)) {
    tx.update(totpFactors).set({ failedCount: 0, lastFailedAt: null }).where(where).run();
    return { ok: true, via: "recovery" };
  }
  const failedCount = row.failedCount + 1;
  tx.update(totpFactors).set({ failedCount, lastFailedAt: now }).where(where).run();
  return { ok: false, retryAfterS: loginDelayS(failedCount) };
}

/** The session now carries the MFA class and methods (RFC 8176 pwd, otp, mfa). */
function raiseSession(tx: ShardTx, row: SessionRow): SessionRow {
  const amr = AMR_MFA.join(" ");
  tx.update(sessions).set({ acr: ACR_MFA, amr }).where(eq(sessions.idHash, row.idHash)).run();
  return { ...row, acr: ACR_MFA, amr };
}

/**
 * The code page's submit: the proof is checked and, if good, the session is opened with the
 * MFA acr (after a password) or the live session raised to it (step-up), and the
 * authorization continues (consent or code) — all in one transaction.
 */
export function completeSecondFactor(
  tx: ShardTx,
  sql: SqlStorage,
  bucket: number,
  userId: string,
  proof: SecondFactorProof,
  target: SecondFactorTarget,
  ask: AuthorizationAsk,
  lifetimes: SessionLifetimes,
  now: number,
): ShardResult<LoginOutcome> {
  const user = findUser(tx, bucket, userId);
  const row = totpFactor(tx, bucket, userId);
  if (!user || user.disabled) return fail("login_required", "the user is disabled");
  if (!row || row.confirmedAt === null) return fail("login_required", "two-factor sign-in is not switched on for this user");
  const existing = target.kind === "step_up" ? liveSession(tx, bucket, target.sessionHash, now) : undefined;
  if (target.kind === "step_up" && (!existing || existing.sid !== target.sid || existing.userId !== userId)) return fail("login_required", "no live session");
  const checked = checkProof(tx, row, proof, now);
  if (!checked.ok) {
    appendEvent(tx, { bucket, type: "mfa.failure", userId, clientId: ask.clientId, data: { method: proof.kind, throttled: checked.retryAfterS > 0 } }, now);
    return ok({ outcome: "rejected", retryAfterS: checked.retryAfterS });
  }
  const session = target.kind === "login" ? createSession(tx, bucket, userId, target.session, lifetimes, [...AMR_MFA], now) : existing!;
  const raised = raiseSession(tx, session);
  appendEvent(tx, { bucket, type: "mfa.success", userId, clientId: ask.clientId, data: { sid: raised.sid, method: checked.via, step_up: target.kind === "step_up" } }, now);
  return issueOrAskConsent(tx, sql, raised, { ...ask, maxAge: null, requireMfa: false }, now);
}
