import { and, eq, isNull, ne } from "drizzle-orm";
import { recoveryCodes, sessions, totpFactors } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { AccountAction, AccountActionResult, AccountOverview } from "./api";
import { listConsents, revokeConsent } from "./consents";
import type { ShardTx } from "./db";
import { endSessionBySid, listSessions } from "./logout";
import { appendEvent } from "./outbox";
import { checkProof, codeRetryAfterS, totpFactor } from "./second-factor";
import { liveSession, type SessionRow } from "./sessions";
import { listPasskeys } from "./passkeys";
import { findUser } from "./users";

/** The account page acts for the user whose live session it is shown to. */
function accountSession(tx: ShardTx, bucket: number, sessionHash: string, now: number): SessionRow | undefined {
  const session = liveSession(tx, bucket, sessionHash, now);
  if (!session) return undefined;
  const user = findUser(tx, bucket, session.userId);
  return user && !user.disabled ? session : undefined;
}

function unusedRecoveryCodes(tx: ShardTx, bucket: number, userId: string): number {
  return tx.select({ h: recoveryCodes.codeHash }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.bucket, bucket), isNull(recoveryCodes.usedAt))).all().length;
}

export function accountOverview(tx: ShardTx, bucket: number, sessionHash: string, now: number): ShardResult<AccountOverview> {
  const session = accountSession(tx, bucket, sessionHash, now);
  if (!session) return fail("login_required", "no live session");
  const user = findUser(tx, bucket, session.userId)!;
  const listed = listSessions(tx, bucket, user.id, now);
  const factor = totpFactor(tx, bucket, user.id);
  return ok({
    userId: user.id,
    email: user.email,
    sid: session.sid,
    sessions: listed.ok ? listed.sessions.filter((s) => s.state === "active") : [],
    consents: listConsents(tx, bucket, user.id),
    // Passkeys (passkeys.ts): listed with the rest, so the page stays one read.
    passkeys: listPasskeys(tx, bucket, user.id),
    totp: {
      enrolled: factor?.confirmedAt != null,
      pending: !!factor && factor.confirmedAt === null,
      recoveryCodesLeft: unusedRecoveryCodes(tx, bucket, user.id),
      sealedSecret: factor?.sealedSecret ?? null,
      retryAfterS: factor ? codeRetryAfterS(factor, now) : 0,
    },
  });
}

function replaceRecoveryCodes(tx: ShardTx, bucket: number, userId: string, hashes: string[], now: number): void {
  tx.delete(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.bucket, bucket))).run();
  for (const codeHash of hashes) tx.insert(recoveryCodes).values({ userId, codeHash, bucket, usedAt: null, createdAt: now }).run();
}

/** One of the account page's forms, for the session's user, in one transaction. */
export function accountAction(tx: ShardTx, bucket: number, sessionHash: string, action: AccountAction, now: number): ShardResult<AccountActionResult> {
  const session = accountSession(tx, bucket, sessionHash, now);
  if (!session) return fail("login_required", "no live session");
  const userId = session.userId;
  const factor = totpFactor(tx, bucket, userId);
  const event = (type: string, data: Record<string, unknown> = {}) => appendEvent(tx, { bucket, type, userId, clientId: null, data: { sid: session.sid, ...data } }, now);
  switch (action.kind) {
    case "end_other_sessions": {
      const others = tx.select({ sid: sessions.sid }).from(sessions).where(and(eq(sessions.userId, userId), eq(sessions.bucket, bucket), isNull(sessions.endedAt), ne(sessions.sid, session.sid))).all();
      for (const other of others) endSessionBySid(tx, bucket, userId, other.sid, action.context, now);
      return ok({ outcome: "done", ended: others.length });
    }
    case "withdraw_consent":
      return ok({ outcome: "done", revoked: revokeConsent(tx, bucket, userId, action.clientId, now).revoked });
    case "start_totp": {
      if (factor?.confirmedAt != null) return fail("conflict", "two-factor sign-in is already switched on");
      tx.delete(totpFactors).where(eq(totpFactors.userId, userId)).run();
      tx.insert(totpFactors).values({ userId, bucket, sealedSecret: action.sealedSecret, confirmedAt: null, lastStep: 0, failedCount: 0, lastFailedAt: null, createdAt: now }).run();
      return ok({ outcome: "done" });
    }
    case "confirm_totp": {
      if (!factor || factor.confirmedAt !== null) return fail("conflict", "no enrolment is waiting for a code");
      const checked = checkProof(tx, factor, { kind: "totp", step: action.step }, now);
      if (!checked.ok) return ok({ outcome: "rejected", retryAfterS: checked.retryAfterS });
      tx.update(totpFactors).set({ confirmedAt: now }).where(eq(totpFactors.userId, userId)).run();
      replaceRecoveryCodes(tx, bucket, userId, action.recoveryCodeHashes, now);
      event("mfa.enrolled");
      return ok({ outcome: "done" });
    }
    case "disable_totp": {
      if (!factor || factor.confirmedAt === null) return fail("conflict", "two-factor sign-in is not switched on");
      const checked = checkProof(tx, factor, action.proof, now);
      if (!checked.ok) return ok({ outcome: "rejected", retryAfterS: checked.retryAfterS });
      tx.delete(totpFactors).where(eq(totpFactors.userId, userId)).run();
      replaceRecoveryCodes(tx, bucket, userId, [], now);
      event("mfa.disabled");
      return ok({ outcome: "done" });
    }
    case "regenerate_recovery_codes": {
      if (!factor || factor.confirmedAt === null) return fail("conflict", "two-factor sign-in is not switched on");
      // A current code, as for turning TOTP off: else a stolen session could mint recovery codes and then switch it off.
      const checked = checkProof(tx, factor, action.proof, now);
      if (!checked.ok) return ok({ outcome: "rejected", retryAfterS: checked.retryAfterS });
      replaceRecoveryCodes(tx, bucket, userId, action.recoveryCodeHashes, now);
      event("mfa.recovery_codes_regenerated");
      return ok({ outcome: "done" });
    }
  }
}
