import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { appendEvent } from "./outbox";
import { firstRow } from "./raw";
import { totpFactor } from "./second-factor";
import { createSession, liveSession, type SessionLifetimes } from "./sessions";
import { issueOrAskConsent } from "./sign-in";
import { findUser, insertUser, passwordCredential } from "./users";
import type { FederatedLink, FederationOp, FederationResult, LinkedIdentityView } from "./api";

/**
 * Federation in the user's bucket (README "Sign in with other providers (federation)").
 * D1's federated_identities has already named the user; here, in one transaction, the
 * account is created just in time if it does not exist yet (every racer of one first
 * sign-in names the same id, so exactly one creates it), the identity is linked, and the
 * session opened with amr "fed". A signed-in user links and unlinks identities; the last
 * way to sign in cannot be unlinked.
 */
export function federation(tx: ShardTx, sql: SqlStorage, input: FederationOp, lifetimes: SessionLifetimes, now: number): ShardResult<FederationResult> {
  switch (input.op) {
    case "signIn":
      return signIn(tx, sql, input, lifetimes, now);
    case "link": {
      const session = liveSession(tx, input.bucket, input.sessionHash, now);
      if (!session) return fail("login_required", "no live session");
      linkIdentity(sql, input.bucket, session.userId, input.link, null, now);
      return ok({ userId: session.userId, links: linksOf(sql, input.bucket, session.userId) });
    }
    case "unlink":
      return unlink(tx, sql, input, now);
    case "list": {
      if ("userId" in input) {
        if (!findUser(tx, input.bucket, input.userId)) return fail("not_found", "no such user");
        return ok({ userId: input.userId, links: linksOf(sql, input.bucket, input.userId) });
      }
      const session = liveSession(tx, input.bucket, input.sessionHash, now);
      if (!session) return fail("login_required", "no live session");
      return ok({ userId: session.userId, links: linksOf(sql, input.bucket, session.userId) });
    }
  }
}

function signIn(tx: ShardTx, sql: SqlStorage, input: Extract<FederationOp, { op: "signIn" }>, lifetimes: SessionLifetimes, now: number): ShardResult<FederationResult> {
  const { bucket, userId } = input;
  let created = false;
  if (!findUser(tx, bucket, userId)) {
    if (!input.create) return fail("not_found", "no such user");
    const made = insertUser(tx, { id: userId, bucket, ...input.create, passwordVerifier: null }, now);
    if (!made.ok) return made;
    created = true;
    appendEvent(tx, { bucket, type: "federation.user_created", userId, data: { provider: input.link.provider } }, now);
  }
  const user = findUser(tx, bucket, userId)!;
  if (user.disabled) return fail("login_required", "the user is disabled");
  linkIdentity(sql, bucket, userId, input.link, now, now);
  // A user with an authenticator app proves it after the upstream too: the upstream is one factor.
  if (totpFactor(tx, bucket, userId)?.confirmedAt != null) {
    appendEvent(tx, { bucket, type: "login.federated_ok", userId, clientId: input.ask?.clientId ?? null, data: { provider: input.link.provider, second_factor: "totp" } }, now);
    return ok({ userId, created, authorized: { outcome: "second_factor", userId, sid: null, enrolled: true } });
  }
  const session = createSession(tx, bucket, userId, input.session, lifetimes, input.amr, now);
  appendEvent(tx, { bucket, type: "login.success", userId, clientId: input.ask?.clientId ?? null, data: { sid: session.sid, method: "federation", provider: input.link.provider, created } }, now);
  if (!input.ask) return ok({ userId, sid: session.sid, created, authorized: null });
  if (input.ask.requireMfa) return ok({ userId, sid: session.sid, created, authorized: { outcome: "second_factor", userId, sid: session.sid, enrolled: false } });
  const authorized = issueOrAskConsent(tx, sql, session, { ...input.ask, maxAge: null }, now);
  if (!authorized.ok) return authorized;
  return ok({ userId, sid: session.sid, created, authorized });
}

/** Links (or refreshes) the identity; a new link is an audit event. `signedInAt` null: linked from the account page. */
function linkIdentity(sql: SqlStorage, bucket: number, userId: string, link: FederatedLink, signedInAt: number | null, now: number): void {
  const existing = firstRow<{ user_id: string }>(sql.exec("SELECT user_id FROM federated_links WHERE user_id = ? AND provider = ? AND subject = ?", userId, link.provider, link.subject));
  if (existing) {
    sql.exec(
      "UPDATE federated_links SET email = ?, sealed_tokens = ?, last_sign_in_at = COALESCE(?, last_sign_in_at) WHERE user_id = ? AND provider = ? AND subject = ?",
      link.email, link.sealedTokens, signedInAt, userId, link.provider, link.subject,
    );
    return;
  }
  sql.exec(
    "INSERT INTO federated_links (user_id, provider, subject, bucket, email, sealed_tokens, linked_at, last_sign_in_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    userId, link.provider, link.subject, bucket, link.email, link.sealedTokens, now, signedInAt,
  );
  appendEvent(sql, { bucket, type: "federation.linked", userId, data: { provider: link.provider, subject: link.subject } }, now);
}

/** Refused when it is the last way to sign in: no password and no other linked identity. */
function unlink(tx: ShardTx, sql: SqlStorage, input: Extract<FederationOp, { op: "unlink" }>, now: number): ShardResult<FederationResult> {
  const session = liveSession(tx, input.bucket, input.sessionHash, now);
  if (!session) return fail("login_required", "no live session");
  const links = linksOf(sql, input.bucket, session.userId);
  if (!links.some((l) => l.provider === input.provider && l.subject === input.subject)) return fail("not_found", "no such linked identity");
  const hasPassword = passwordCredential(tx, input.bucket, session.userId) !== undefined;
  if (!hasPassword && links.length === 1) return fail("conflict", "this is the only way to sign in to the account");
  sql.exec("DELETE FROM federated_links WHERE user_id = ? AND provider = ? AND subject = ?", session.userId, input.provider, input.subject);
  appendEvent(sql, { bucket: input.bucket, type: "federation.unlinked", userId: session.userId, data: { provider: input.provider, subject: input.subject } }, now);
  return ok({ userId: session.userId, links: linksOf(sql, input.bucket, session.userId) });
}

function linksOf(sql: SqlStorage, bucket: number, userId: string): LinkedIdentityView[] {
  const rows = sql
    .exec<{ provider: string; subject: string; email: string | null; linked_at: number; last_sign_in_at: number | null; sealed_tokens: string | null }>(
      "SELECT provider, subject, email, linked_at, last_sign_in_at, sealed_tokens FROM federated_links WHERE user_id = ? AND bucket = ? ORDER BY linked_at",
      userId, bucket,
    )
    .toArray();
  return rows.map((r) => ({ provider: r.provider, subject: r.subject, email: r.email, linked_at: r.linked_at, last_sign_in_at: r.last_sign_in_at, tokens_kept: r.sealed_tokens !== null }));
}
