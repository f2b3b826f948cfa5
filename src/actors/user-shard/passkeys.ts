import { and, count, eq, sql as raw } from "drizzle-orm";
import { passkeyFailures, passkeys, sessions, spentPasskeyChallenges } from "../../../schema/do/user-shard/tables";
import { ACR_MFA } from "../../oauth/acr";
import { fail, ok, type ShardResult } from "../results";
import type { AssertionOutcome, PasskeyOp, PasskeyResult, PasskeyResults, PasskeyView, SpentChallenge } from "./api";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { createSession, liveSession, type SessionLifetimes } from "./sessions";
import { issueOrAskConsent, loginDelayS } from "./sign-in";
import { totpFactor } from "./second-factor";
import { findUser, passwordCredential } from "./users";

type PasskeyRow = typeof passkeys.$inferSelect;
type Op<K extends PasskeyOp["kind"]> = Extract<PasskeyOp, { kind: K }>;

/** More than anyone needs; keeps a page and allowCredentials small. */
export const MAX_PASSKEYS = 20;

function toView(row: PasskeyRow): PasskeyView {
  return {
    credentialId: row.credentialId, name: row.name, transports: JSON.parse(row.transports) as string[],
    deviceType: row.deviceType === "multiDevice" ? "multiDevice" : "singleDevice", backedUp: row.backedUp === 1, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt,
  };
}

export function listPasskeys(tx: ShardTx, bucket: number, userId: string): PasskeyView[] {
  return tx.select().from(passkeys).where(and(eq(passkeys.userId, userId), eq(passkeys.bucket, bucket))).orderBy(passkeys.createdAt).all().map(toView);
}

function findPasskey(tx: ShardTx, bucket: number, userId: string, credentialId: string): PasskeyRow | undefined {
  return tx.select().from(passkeys).where(and(eq(passkeys.userId, userId), eq(passkeys.credentialId, credentialId), eq(passkeys.bucket, bucket))).get();
}

/** Failed assertions slow the account down like wrong passwords: 5 free, then 1, 2, 4 ... seconds. */
function retryAfterS(tx: ShardTx, bucket: number, userId: string, now: number): number {
  const row = tx.select().from(passkeyFailures).where(and(eq(passkeyFailures.userId, userId), eq(passkeyFailures.bucket, bucket))).get();
  if (!row) return 0;
  const wait = loginDelayS(row.failedCount) * 1000 - (now - row.lastFailedAt);
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

function countFailure(tx: ShardTx, bucket: number, userId: string, now: number): number {
  const row = tx
    .insert(passkeyFailures)
    .values({ userId, bucket, failedCount: 1, lastFailedAt: now })
    .onConflictDoUpdate({ target: passkeyFailures.userId, set: { failedCount: raw`${passkeyFailures.failedCount} + 1`, lastFailedAt: now } })
    .returning({ failedCount: passkeyFailures.failedCount })
    .get();
  return row?.failedCount ?? 1;
}

/**
 * Spends a challenge in this bucket: false if it expired or was answered before. This insert is
 * what makes a challenge single use, even when two answers race (one transaction each).
 */
function spendChallenge(tx: ShardTx, bucket: number, challenge: SpentChallenge, now: number): boolean {
  if (challenge.expiresAt <= now) return false;
  const spent = tx.insert(spentPasskeyChallenges).values({ challengeHash: challenge.hash, bucket, expiresAt: challenge.expiresAt }).onConflictDoNothing().returning().all();
  return spent.length === 1;
}

/** WebAuthn §6.1.1: a counter must go up; both 0 means the authenticator keeps none. */
export function counterAccepted(stored: number, received: number): boolean {
  return received > stored || (received === 0 && stored === 0);
}

/**
 * RFC 8176 §2 for a passkey: "swk" when the key is backed up (synced, so it exists outside one
 * piece of hardware), "hwk" when it is bound to the device; "user" when the authenticator
 * verified the user (PIN or biometric, WebAuthn UV flag), and then "mfa": possession plus
 * knowledge or inherence.
 */
export function passkeyAmr(verified: Pick<AssertionOutcome, "backedUp" | "userVerified">): string[] {
  return [verified.backedUp ? "swk" : "hwk", ...(verified.userVerified ? ["user", "mfa"] : [])];
}

function read(tx: ShardTx, op: Op<"read">, now: number): ShardResult<PasskeyResults["read"]> {
  const user = findUser(tx, op.bucket, op.userId);
  if (!user) return fail("not_found", "no such user");
  const row = findPasskey(tx, op.bucket, op.userId, op.credentialId);
  const base = { retryAfterS: retryAfterS(tx, op.bucket, op.userId, now), disabled: user.disabled };
  if (!row) return ok({ publicKey: null, counter: 0, transports: [], ...base });
  return ok({ publicKey: row.publicKey, counter: row.counter, transports: JSON.parse(row.transports) as string[], ...base });
}

function register(tx: ShardTx, op: Op<"register">, now: number): ShardResult<PasskeyResults["register"]> {
  const session = liveSession(tx, op.bucket, op.sessionHash, now);
  if (!session || session.userId !== op.userId) return fail("login_required", "no live session for the user the challenge was made for");
  const held = tx.select({ n: count() }).from(passkeys).where(and(eq(passkeys.userId, op.userId), eq(passkeys.bucket, op.bucket))).get()?.n ?? 0;
  if (held >= MAX_PASSKEYS) return fail("invalid_input", `at most ${MAX_PASSKEYS} passkeys per account`);
  if (findPasskey(tx, op.bucket, op.userId, op.passkey.credentialId)) return fail("conflict", "this passkey is registered already");
  if (!spendChallenge(tx, op.bucket, op.challenge, now)) return fail("invalid_grant", "the challenge expired or was used");
  const p = op.passkey;
  const row: PasskeyRow = {
    userId: op.userId, credentialId: p.credentialId, bucket: op.bucket, name: p.name, publicKey: p.publicKey, counter: p.counter,
    transports: JSON.stringify(p.transports), deviceType: p.deviceType, backedUp: p.backedUp ? 1 : 0, createdAt: now, lastUsedAt: null,
  };
  tx.insert(passkeys).values(row).run();
  appendEvent(tx, { bucket: op.bucket, type: "passkey.registered", userId: op.userId, data: { credential_id: p.credentialId, name: p.name, device_type: p.deviceType, backed_up: p.backedUp } }, now);
  return ok({ passkey: toView(row) });
}

function remove(tx: ShardTx, op: Op<"remove">, now: number): ShardResult<PasskeyResults["remove"]> {
  const session = liveSession(tx, op.bucket, op.sessionHash, now);
  if (!session) return fail("login_required", "no live session");
  const held = listPasskeys(tx, op.bucket, session.userId);
  if (!held.some((p) => p.credentialId === op.credentialId)) return fail("not_found", "no such passkey");
  // The last passkey of an account without a password is its only way in (besides email codes, which an address may lose).
  if (held.length === 1 && !passwordCredential(tx, op.bucket, session.userId)?.secret) return fail("conflict", "the last way to sign in cannot be removed");
  tx.delete(passkeys).where(and(eq(passkeys.userId, session.userId), eq(passkeys.credentialId, op.credentialId), eq(passkeys.bucket, op.bucket))).run();
  appendEvent(tx, { bucket: op.bucket, type: "passkey.removed", userId: session.userId, data: { credential_id: op.credentialId, sid: session.sid } }, now);
  return ok({ removed: true, left: held.length - 1 });
}

function operatorRemove(tx: ShardTx, op: Op<"operator_remove">, now: number): ShardResult<PasskeyResults["operator_remove"]> {
  if (!findUser(tx, op.bucket, op.userId)) return fail("not_found", "no such user");
  const held = listPasskeys(tx, op.bucket, op.userId);
  if (!held.some((p) => p.credentialId === op.credentialId)) return fail("not_found", "no such passkey");
  tx.delete(passkeys).where(and(eq(passkeys.userId, op.userId), eq(passkeys.credentialId, op.credentialId), eq(passkeys.bucket, op.bucket))).run();
  appendEvent(tx, { bucket: op.bucket, type: "passkey.removed", userId: op.userId, data: { credential_id: op.credentialId, initiator: "operator" } }, now);
  return ok({ removed: true, left: held.length - 1 });
}

/**
 * The assertion's outcome, in one transaction: a slowed-down account is refused unchecked;
 * a verified answer spends its challenge (a replay stops here); a bad signature or a counter
 * that did not go up counts as a failure; otherwise the counter and backup state are stored,
 * the session opened and the authorization continued (consent or code).
 */
function signIn(tx: ShardTx, sql: SqlStorage, op: Op<"sign_in">, lifetimes: SessionLifetimes, now: number): ShardResult<PasskeyResults["sign_in"]> {
  const { bucket, userId } = op;
  const user = findUser(tx, bucket, userId);
  const row = findPasskey(tx, bucket, userId, op.credentialId);
  if (!user || user.disabled || !row) return fail("login_required", "no such user or passkey");
  const waiting = retryAfterS(tx, bucket, userId, now);
  if (waiting > 0) return ok({ outcome: "rejected", retryAfterS: waiting });
  const v = op.verified;
  // A replayed answer is refused before its counter is looked at: nothing changes for it.
  if (v && !spendChallenge(tx, bucket, op.challenge, now)) return fail("invalid_grant", "the challenge expired or was used");
  const reason = !v ? "signature" : !counterAccepted(row.counter, v.newCounter) ? "counter" : null;
  if (reason || !v) {
    const failures = countFailure(tx, bucket, userId, now);
    appendEvent(tx, { bucket, type: "passkey.failure", userId, clientId: op.ask.clientId, data: { credential_id: op.credentialId, reason, failures } }, now);
    return ok({ outcome: "rejected", retryAfterS: loginDelayS(failures) });
  }
  tx.update(passkeys).set({ counter: v.newCounter, backedUp: v.backedUp ? 1 : 0, deviceType: v.deviceType, lastUsedAt: now }).where(and(eq(passkeys.userId, userId), eq(passkeys.credentialId, op.credentialId))).run();
  tx.delete(passkeyFailures).where(eq(passkeyFailures.userId, userId)).run();
  const amr = passkeyAmr(v);
  const created = createSession(tx, bucket, userId, op.session, lifetimes, amr, now);
  const session = v.userVerified ? { ...created, acr: ACR_MFA } : created;
  if (v.userVerified) tx.update(sessions).set({ acr: ACR_MFA }).where(eq(sessions.idHash, created.idHash)).run();
  appendEvent(tx, { bucket, type: "passkey.used", userId, clientId: op.ask.clientId, data: { sid: session.sid, credential_id: op.credentialId, amr } }, now);
  if (op.ask.requireMfa && session.acr !== ACR_MFA) return ok({ outcome: "second_factor", userId, sid: session.sid, enrolled: totpFactor(tx, bucket, userId)?.confirmedAt != null });
  return issueOrAskConsent(tx, sql, session, { ...op.ask, maxAge: null }, now);
}

export function passkeyOperation(tx: ShardTx, sql: SqlStorage, op: PasskeyOp, lifetimes: SessionLifetimes, now: number): ShardResult<PasskeyResult> {
  switch (op.kind) {
    case "list":
      if (!findUser(tx, op.bucket, op.userId)) return fail("not_found", "no such user");
      return ok({ passkeys: listPasskeys(tx, op.bucket, op.userId) });
    case "read":
      return read(tx, op, now);
    case "register":
      return register(tx, op, now);
    case "sign_in":
      return signIn(tx, sql, op, lifetimes, now);
    case "remove":
      return remove(tx, op, now);
    case "operator_remove":
      return operatorRemove(tx, op, now);
    default:
      return fail("invalid_input", "unknown passkey operation");
  }
}
