import { and, eq } from "drizzle-orm";
import { credentials } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import { storeCode } from "./codes";
import { storeFrontChannelGrant } from "./front-channel";
import { coversScope, storedScope } from "../../oauth/scopes";
import { grantedScopes, recordConsent } from "./consents";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { createSession, liveSession, nextIdleExpiry, sessionExpired, touchSession, type SessionLifetimes, type SessionRow } from "./sessions";
import { findUser, passwordCredential, type PasswordCredential } from "./users";
import { ACR_MFA } from "../../oauth/acr";
import { totpFactor } from "./second-factor";
import type { LoginChallenge, AuthorizationAsk, Authorized, LoginOutcome, CodeRequest, NewSession } from "./api";

/** Consecutive failures allowed before sign-in slows down, and the longest wait. */
export const FREE_FAILURES = 5;
export const MAX_LOGIN_DELAY_S = 900;

/** Seconds to wait after `failures` consecutive failures: 1, 2, 4, ... up to 15 minutes. */
export function loginDelayS(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(2 ** (failures - FREE_FAILURES), MAX_LOGIN_DELAY_S);
}

function retryAfterS(row: PasswordCredential, now: number): number {
  const wait = loginDelayS(row.failedCount) * 1000 - (now - (row.lastFailedAt ?? 0));
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

export function loginChallenge(tx: ShardTx, bucket: number, userId: string, now: number): ShardResult<LoginChallenge> {
  const user = findUser(tx, bucket, userId);
  if (!user) return fail("not_found", "no such user");
  const row = passwordCredential(tx, bucket, userId);
  return ok({ verifier: row?.secret ?? null, disabled: user.disabled, retryAfterS: row ? retryAfterS(row, now) : 0 });
}

/** With a live session (after sign-in or consent): consent check, then the code. */
export function issueOrAskConsent(tx: ShardTx, sql: SqlStorage, session: SessionRow, ask: AuthorizationAsk, now: number): ShardResult<Authorized> {
  const user = findUser(tx, session.bucket, session.userId);
  if (!user || user.disabled) return fail("login_required", "the user is disabled");
  const granted = grantedScopes(tx, session.bucket, session.userId, ask.clientId);
  if (ask.forceConsent || !coversScope(granted, storedScope(ask.consentScope ?? ask.code.scope))) {
    return ok({ outcome: "consent_required", userId: user.id, sid: session.sid, email: user.email, granted: [...granted] });
  }
  const bound = { bucket: session.bucket, userId: session.userId, sid: session.sid, authTime: session.authTime };
  storeCode(sql, bound, ask.code, now);
  const accessGrantId = storeFrontChannelGrant(sql, bound, ask, now);
  return ok({ outcome: "issued", userId: user.id, sid: session.sid, authTime: session.authTime, acr: session.acr, amr: session.amr.split(" ").filter(Boolean), accessGrantId });
}

/** A session as /authorize reads it, with its user and the user's consent to the client. */
interface SessionUserRow {
  sid: string;
  user_id: string;
  auth_time: number;
  acr: string;
  amr: string;
  idle_expires_at: number;
  expires_at: number;
  email: string | null;
  disabled: number | null;
  consented: string | null;
  /** Two-factor sign-in: the user's id when TOTP is switched on, else null. */
  totp: string | null;
}

const READ_SESSION_USER = `SELECT s.sid, s.user_id, s.auth_time, s.acr, s.amr, s.idle_expires_at, s.expires_at, u.email, u.disabled, c.scope AS consented, t.user_id AS totp
FROM sessions s
LEFT JOIN users u ON u.id = s.user_id
LEFT JOIN consents c ON c.user_id = s.user_id AND c.client_id = ?
LEFT JOIN totp_factors t ON t.user_id = s.user_id AND t.confirmed_at IS NOT NULL
WHERE s.id_hash = ? AND s.bucket = ? AND s.ended_at IS NULL`;

/**
 * GET /authorize with a session cookie: one statement reads the session, its user
 * and the consent; the code is stored in the same transaction (raw SQL: a hot path).
 */
export function authorizeWithSession(
  sql: SqlStorage,
  bucket: number,
  sessionHash: string,
  ask: AuthorizationAsk,
  lifetimes: SessionLifetimes,
  now: number,
): ShardResult<Authorized> {
  const row = firstRow<SessionUserRow>(sql.exec(READ_SESSION_USER, ask.clientId, sessionHash, bucket));
  if (!row || sessionExpired({ idleExpiresAt: row.idle_expires_at, expiresAt: row.expires_at }, now)) return fail("login_required", "no live session");
  if (ask.maxAge !== null && Math.floor(now / 1000) - row.auth_time > ask.maxAge) {
    return fail("login_required", "max_age exceeded");
  }
  const idleExpiresAt = nextIdleExpiry(row.idle_expires_at, row.expires_at, lifetimes, now);
  if (idleExpiresAt !== null) sql.exec("UPDATE sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id_hash = ?", now, idleExpiresAt, sessionHash);
  if (row.email === null || row.disabled) return fail("login_required", "the user is disabled");
  // Two-factor sign-in: a password-only session must step up before anything is issued.
  if (ask.requireMfa && row.acr !== ACR_MFA) return ok({ outcome: "second_factor", userId: row.user_id, sid: row.sid, enrolled: row.totp !== null });
  const granted = storedScope(row.consented ?? "");
  if (ask.forceConsent || !coversScope(granted, storedScope(ask.consentScope ?? ask.code.scope))) {
    return ok({ outcome: "consent_required", userId: row.user_id, sid: row.sid, email: row.email, granted: [...granted] });
  }
  const bound = { bucket, userId: row.user_id, sid: row.sid, authTime: row.auth_time };
  storeCode(sql, bound, ask.code, now);
  const accessGrantId = storeFrontChannelGrant(sql, bound, ask, now);
  return ok({ outcome: "issued", userId: row.user_id, sid: row.sid, authTime: row.auth_time, acr: row.acr, amr: row.amr.split(" ").filter(Boolean), accessGrantId });
}

/**
 * After the router checked the password: count a failure (and slow the account
 * down), or reset the counter, open a session and continue the authorization.
 */
export function completeLogin(
  tx: ShardTx,
  sql: SqlStorage,
  bucket: number,
  userId: string,
  passwordOk: boolean,
  session: NewSession,
  ask: AuthorizationAsk,
  lifetimes: SessionLifetimes,
  now: number,
): ShardResult<LoginOutcome> {
  const user = findUser(tx, bucket, userId);
  const row = passwordCredential(tx, bucket, userId);
  if (!user || !row) return ok({ outcome: "rejected", retryAfterS: 0 });
  const waiting = retryAfterS(row, now);
  if (!passwordOk || user.disabled || waiting > 0) {
    const failedCount = waiting > 0 ? row.failedCount : row.failedCount + 1;
    if (waiting === 0) {
      tx.update(credentials)
        .set({ failedCount, lastFailedAt: now })
        .where(and(eq(credentials.userId, userId), eq(credentials.type, "password")))
        .run();
    }
    appendEvent(tx, { bucket, type: "login.failure", userId, clientId: ask.clientId, data: { failures: failedCount, throttled: waiting > 0 } }, now);
    return ok({ outcome: "rejected", retryAfterS: waiting > 0 ? waiting : loginDelayS(failedCount) });
  }
  if (row.failedCount !== 0) {
    tx.update(credentials).set({ failedCount: 0, lastFailedAt: null }).where(and(eq(credentials.userId, userId), eq(credentials.type, "password"))).run();
  }
  // Two-factor sign-in: with TOTP switched on the password opens no session; the code page does.
  const totp = totpFactor(tx, bucket, userId);
  if (totp?.confirmedAt != null) {
    appendEvent(tx, { bucket, type: "login.password_ok", userId, clientId: ask.clientId, data: { second_factor: "totp" } }, now);
    return ok({ outcome: "second_factor", userId, sid: null, enrolled: true });
  }
  const created = createSession(tx, bucket, userId, session, lifetimes, ["pwd"], now);
  appendEvent(tx, { bucket, type: "login.success", userId, clientId: ask.clientId, data: { sid: session.sid } }, now);
  // Required but not enrolled: the password session opens (enrolment needs one) and the router sends the user to enrol.
  if (ask.requireMfa) return ok({ outcome: "second_factor", userId, sid: created.sid, enrolled: false });
  return issueOrAskConsent(tx, sql, created, { ...ask, maxAge: null }, now);
}

/** The consent page's "Allow": remember the scopes and store the code, in one transaction. */
export function grantConsent(
  tx: ShardTx,
  sql: SqlStorage,
  bucket: number,
  sessionHash: string,
  expectedSid: string,
  ask: AuthorizationAsk,
  lifetimes: SessionLifetimes,
  now: number,
): ShardResult<Authorized> {
  const session = liveSession(tx, bucket, sessionHash, now);
  // The consent page was shown to one session: a different or dead one must sign in again.
  if (!session || session.sid !== expectedSid) return fail("login_required", "no live session");
  recordConsent(tx, bucket, session.userId, ask.clientId, ask.consentScope ?? ask.code.scope, now);
  touchSession(tx, session, lifetimes, now);
  return issueOrAskConsent(tx, sql, session, { ...ask, forceConsent: false }, now);
}
