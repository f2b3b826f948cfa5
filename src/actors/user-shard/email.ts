import { and, eq } from "drizzle-orm";
import { credentials } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { endAllSessions } from "./logout";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { createSession, type SessionLifetimes } from "./sessions";
import { issueOrAskConsent } from "./sign-in";
import { findUser, insertUser } from "./users";
import { isDirectoryUser } from "./ldap";
import type { EmailProof, EmailSignInInput, EmailSignedIn, NewEmailChallenge, PasswordResetInput, PendingUser } from "./api";

/**
 * Emailed codes and magic links (sign-in) and reset codes, in the user's bucket. A
 * challenge is used once (used_at), dies after maxAttempts wrong codes and at its expiry,
 * and answers only to the browser that asked (its handle's hash is the key).
 * Failures: invalid_grant — no live code (unknown, used, dead, expired); invalid_input —
 * a wrong code (one attempt spent); conflict — a link opened in another browser.
 */

/** RFC 8176 §2: "otp" — the person proved a one-time secret sent to their email. */
export const EMAIL_AMR = ["otp"];

/** A new code for the user replaces any earlier one of the same purpose still alive. */
export function startEmailChallenge(sql: SqlStorage, input: NewEmailChallenge, now: number): ShardResult<object> {
  const user = firstRow<{ disabled: number }>(sql.exec("SELECT disabled FROM users WHERE id = ? AND bucket = ?", input.userId, input.bucket));
  // A sign-up names an id no user has yet; everything else a live user.
  if (input.purpose === "signup" ? user || !input.pendingUser : !user || user.disabled) return fail("not_found", "no such user");
  // LDAP / Active Directory: a directory user's password lives in the directory; a reset code would make it a local one.
  if (input.purpose === "reset" && isDirectoryUser(sql, input.bucket, input.userId)) return fail("not_found", "a directory user's password is changed in the directory");
  sql.exec("UPDATE email_challenges SET used_at = ? WHERE user_id = ? AND bucket = ? AND purpose = ? AND used_at IS NULL", now, input.userId, input.bucket, input.purpose);
  sql.exec(
    `INSERT INTO email_challenges (handle_hash, bucket, user_id, purpose, code_hash, link_hash, interaction, pending_user, attempts, created_at, expires_at, used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    input.handleHash, input.bucket, input.userId, input.purpose, input.codeHash, input.linkHash, input.interaction,
    input.pendingUser ? JSON.stringify(input.pendingUser) : null, input.maxAttempts, now, now + input.ttlS * 1000,
  );
  appendEvent(sql, { bucket: input.bucket, type: "email.code_sent", userId: input.userId, data: { purpose: input.purpose } }, now);
  return ok({});
}

interface ChallengeRow {
  handle_hash: string;
  user_id: string;
  code_hash: string;
  interaction: string | null;
  pending_user: string | null;
  attempts: number;
  expires_at: number;
  used_at: number | null;
}

/**
 * The challenge a proof names, checked and spent: a wrong code spends one of its attempts
 * (the last one kills it); a link opened in another browser is refused and left alive.
 */
function spend(sql: SqlStorage, proof: EmailProof & { purpose: string }, now: number): ShardResult<{ row: ChallengeRow }> {
  const byLink = proof.linkHash !== undefined;
  const row = firstRow<ChallengeRow>(
    sql.exec(
      `SELECT handle_hash, user_id, code_hash, interaction, pending_user, attempts, expires_at, used_at FROM email_challenges WHERE ${byLink ? "link_hash" : "handle_hash"} = ? AND bucket = ? AND purpose = ?`,
      byLink ? proof.linkHash : proof.handleHash, proof.bucket, proof.purpose,
    ),
  );
  if (!row || row.used_at !== null || row.attempts <= 0 || now >= row.expires_at) return fail("invalid_grant", "no live code");
  if (row.handle_hash !== proof.handleHash) return fail("conflict", "the link was opened in another browser");
  if (!byLink && row.code_hash !== proof.codeHash) {
    sql.exec("UPDATE email_challenges SET attempts = attempts - 1 WHERE handle_hash = ?", row.handle_hash);
    appendEvent(sql, { bucket: proof.bucket, type: "email.code_failed", userId: row.user_id, data: { purpose: proof.purpose, left: row.attempts - 1 } }, now);
    return fail("invalid_input", row.attempts > 1 ? "wrong code" : "wrong code; the code is dead");
  }
  sql.exec("UPDATE email_challenges SET used_at = ? WHERE handle_hash = ?", now, row.handle_hash);
  return ok({ row });
}

/**
 * Sign-in by code or link: spent, a session opened (amr otp) and, with an ask, the
 * authorization continued. A sign-up code first creates the pending account (its email
 * verified), which must be the one the router reserved in D1.
 */
export function redeemEmailSignIn(tx: ShardTx, sql: SqlStorage, input: EmailSignInInput, lifetimes: SessionLifetimes, now: number): ShardResult<EmailSignedIn> {
  const purpose = input.signup ? "signup" : "signin";
  const spent = spend(sql, { ...input, purpose }, now);
  if (!spent.ok) return spent;
  if (input.signup) {
    const pending = JSON.parse(spent.row.pending_user ?? "null") as PendingUser | null;
    if (!pending || spent.row.user_id !== input.signup.userId || pending.email !== input.signup.email) return fail("invalid_grant", "not the pending account");
    const created = insertUser(tx, { id: input.signup.userId, bucket: input.bucket, email: pending.email, emailVerified: true, name: pending.name, givenName: null, familyName: null, passwordVerifier: pending.passwordVerifier }, now);
    if (!created.ok) return created;
  }
  const user = findUser(tx, input.bucket, spent.row.user_id);
  if (!user || user.disabled) return fail("invalid_grant", "the user is disabled");
  const session = createSession(tx, input.bucket, user.id, input.session, lifetimes, EMAIL_AMR, now);
  appendEvent(tx, { bucket: input.bucket, type: "login.success", userId: user.id, clientId: input.ask?.clientId ?? null, data: { sid: session.sid, method: input.linkHash ? "email_link" : "email_code" } }, now);
  if (!input.ask) return ok({ userId: user.id, sid: session.sid, interaction: spent.row.interaction, authorized: null });
  const authorized = issueOrAskConsent(tx, sql, session, { ...input.ask, maxAge: null }, now);
  if (!authorized.ok) return authorized;
  return ok({ userId: user.id, sid: session.sid, interaction: spent.row.interaction, authorized });
}

/** Password reset: spent, the new verifier stored (failures forgotten), and every session of the user ended. */
export function resetPassword(tx: ShardTx, sql: SqlStorage, input: PasswordResetInput, now: number): ShardResult<{ ended: string[] }> {
  const spent = spend(sql, { ...input, purpose: "reset" }, now);
  if (!spent.ok) return spent;
  const userId = spent.row.user_id;
  if (!findUser(tx, input.bucket, userId)) return fail("invalid_grant", "no such user");
  tx.insert(credentials)
    .values({ userId, type: "password", bucket: input.bucket, secret: input.verifier, failedCount: 0, lastFailedAt: null, updatedAt: now })
    .onConflictDoUpdate({ target: [credentials.userId, credentials.type], set: { secret: input.verifier, failedCount: 0, lastFailedAt: null, updatedAt: now } })
    .run();
  const ended = endAllSessions(tx, input.bucket, userId, { survivingClients: [], initiator: "user", clientId: null }, now);
  appendEvent(tx, { bucket: input.bucket, type: "password.reset", userId, data: { sessions_ended: ended.ok ? ended.ended.length : 0 } }, now);
  return ended;
}
