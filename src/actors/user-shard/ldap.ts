import { and, eq } from "drizzle-orm";
import { ldapLinks, users } from "../../../schema/do/user-shard/tables";
import { fail, ok, type ShardResult } from "../results";
import type { ShardTx } from "./db";
import { replaceDirectoryRoles } from "./access";
import { endAllSessions } from "./logout";
import { appendEvent } from "./outbox";
import { findUser, insertUser, passwordCredential, setDisabled, toView } from "./users";
import type { DirectoryLinkView, DirectoryUserInput, DirectoryUserResult } from "./api";
import { DIRECTORY_VERIFIER } from "./api/ldap";
export type { DirectoryLinkView, DirectoryUserInput, DirectoryUserResult };

/**
 * LDAP / Active Directory users in their shard: created or updated from what the directory
 * said at a sign-in or sync, disabled (sessions ended) when it disables or drops them.
 */


function linkOf(tx: ShardTx, bucket: number, userId: string) {
  return tx.select().from(ldapLinks).where(and(eq(ldapLinks.userId, userId), eq(ldapLinks.bucket, bucket))).get();
}

function writeLink(tx: ShardTx, input: DirectoryUserInput, now: number): void {
  const row = { userId: input.id, bucket: input.bucket, dn: input.dn, groups: JSON.stringify(input.groups), roles: JSON.stringify(input.roles), state: input.state, syncedAt: now };
  tx.insert(ldapLinks).values(row).onConflictDoUpdate({ target: ldapLinks.userId, set: row }).run();
}

/** Name fields, groups or roles differ from what the shard holds. */
function profileChanged(user: NonNullable<ReturnType<typeof findUser>>, link: ReturnType<typeof linkOf>, input: DirectoryUserInput): boolean {
  return (
    user.name !== input.name ||
    user.givenName !== input.givenName ||
    user.familyName !== input.familyName ||
    link?.groups !== JSON.stringify(input.groups) ||
    link?.roles !== JSON.stringify(input.roles)
  );
}

export function upsertDirectoryUser(tx: ShardTx, input: DirectoryUserInput, now: number): ShardResult<DirectoryUserResult> {
  let user = findUser(tx, input.bucket, input.id);
  let change: DirectoryUserResult["change"] = "unchanged";
  if (!user) {
    if (input.state !== "active") return fail("not_found", "no such user");
    const base = { id: input.id, bucket: input.bucket, email: input.email, emailVerified: true, name: input.name, givenName: input.givenName, familyName: input.familyName };
    const created = insertUser(tx, { ...base, passwordVerifier: DIRECTORY_VERIFIER }, now);
    if (!created.ok) return created;
    user = findUser(tx, input.bucket, input.id)!;
    change = "created";
  } else {
    // Gone from the directory: nothing is known of it any more but that; the profile stays, groups and roles go.
    if (input.state === "removed") input = { ...input, name: user.name, givenName: user.givenName, familyName: user.familyName };
    // A local account (its own password) is never taken over by a directory entry of the same email.
    if (passwordCredential(tx, input.bucket, input.id)?.secret !== DIRECTORY_VERIFIER) return fail("conflict", "the email belongs to a local account");
    const link = linkOf(tx, input.bucket, input.id);
    if (profileChanged(user, link, input)) {
      tx.update(users).set({ name: input.name, givenName: input.givenName, familyName: input.familyName, updatedAt: now }).where(eq(users.id, input.id)).run();
      change = "updated";
    }
    // Re-enabled in the directory: only a user the directory disabled comes back, never one the operator disabled.
    if (input.state === "active" && user.disabled && link && link.state !== "active") {
      tx.update(users).set({ disabled: false, updatedAt: now }).where(eq(users.id, input.id)).run();
      appendEvent(tx, { bucket: input.bucket, type: "user.enabled", userId: input.id, data: { method: "ldap" } }, now);
      change = "updated";
    }
  }
  // The roles mapped from directory groups are the user's RBAC roles, replacing those the directory gave last time.
  const previous = linkOf(tx, input.bucket, input.id);
  replaceDirectoryRoles(tx, input.bucket, input.id, previous ? (JSON.parse(previous.roles) as string[]) : [], input.roles, now);
  writeLink(tx, input, now);
  if (input.state !== "active" && !user.disabled) {
    setDisabled(tx, input.bucket, input.id, now);
    // A disabled account keeps no session: each ends (its clients are told), and with it every grant.
    endAllSessions(tx, input.bucket, input.id, { survivingClients: [], initiator: "user_disabled", clientId: null }, now);
    change = "disabled";
  }
  if (input.reason === "sign_in") {
    appendEvent(tx, { bucket: input.bucket, type: "login.directory", userId: input.id, data: { method: "ldap", dn: input.dn, change } }, now);
  } else if (change !== "unchanged") {
    appendEvent(tx, { bucket: input.bucket, type: "ldap.user_synced", userId: input.id, data: { method: "ldap", dn: input.dn, change, state: input.state } }, now);
  }
  return ok({ user: toView(findUser(tx, input.bucket, input.id)!), change });
}

export function directoryLink(tx: ShardTx, bucket: number, userId: string): ShardResult<{ link: DirectoryLinkView | null }> {
  if (!findUser(tx, bucket, userId)) return fail("not_found", "no such user");
  const row = linkOf(tx, bucket, userId);
  if (!row) return ok({ link: null });
  return ok({ link: { dn: row.dn, groups: JSON.parse(row.groups) as string[], roles: JSON.parse(row.roles) as string[], state: row.state as DirectoryLinkView["state"], synced_at: row.syncedAt } });
}

/** The user's password is the directory's (its credential is the directory mark, not a verifier). */
export function isDirectoryUser(sql: SqlStorage, bucket: number, userId: string): boolean {
  return sql.exec("SELECT 1 FROM credentials WHERE user_id = ? AND bucket = ? AND type = 'password' AND secret = ?", userId, bucket, DIRECTORY_VERIFIER).toArray().length > 0;
}
