import { noteD1 } from "../observability/trace";
import { inD1 } from "./unavailable";

/**
 * The global list of directory users (schema/d1 ldap_accounts): DN (lower-cased) → user id.
 * The sync compares it with the directory to find who was removed; sign-in finds a
 * returning directory user by it before the email index.
 */
const INDEX = "the directory account index";

export interface LdapAccount {
  dn: string;
  user_id: string;
  email: string;
  removed_at: number | null;
}

export async function accountByDn(d1: D1Database, dn: string): Promise<LdapAccount | null> {
  noteD1();
  return inD1(INDEX, () => d1.prepare("SELECT dn, user_id, email, removed_at FROM ldap_accounts WHERE dn = ?").bind(dn.toLowerCase()).first<LdapAccount>());
}

/** Records (or revives) the account; false when the DN is already another user's. */
export async function recordAccount(d1: D1Database, dn: string, userId: string, email: string): Promise<boolean> {
  noteD1();
  const { results } = await inD1(INDEX, () =>
    d1
      .prepare(
        "INSERT INTO ldap_accounts (dn, user_id, email, removed_at, synced_at) VALUES (?, ?, ?, NULL, ?) ON CONFLICT (dn) DO UPDATE SET removed_at = NULL, synced_at = excluded.synced_at WHERE ldap_accounts.user_id = excluded.user_id RETURNING dn",
      )
      .bind(dn.toLowerCase(), userId, email, Date.now())
      .all(),
  );
  return results.length === 1;
}

export async function forgetAccount(d1: D1Database, dn: string, userId: string): Promise<void> {
  noteD1();
  await inD1(INDEX, () => d1.prepare("DELETE FROM ldap_accounts WHERE dn = ? AND user_id = ?").bind(dn.toLowerCase(), userId).run());
}

export async function markRemoved(d1: D1Database, dn: string): Promise<void> {
  noteD1();
  await inD1(INDEX, () => d1.prepare("UPDATE ldap_accounts SET removed_at = ? WHERE dn = ? AND removed_at IS NULL").bind(Date.now(), dn).run());
}

/** Directory users not removed yet, a page at a time in DN order. */
export async function liveAccounts(d1: D1Database, after: string, limit: number): Promise<LdapAccount[]> {
  noteD1();
  const { results } = await inD1(INDEX, () =>
    d1.prepare("SELECT dn, user_id, email, removed_at FROM ldap_accounts WHERE removed_at IS NULL AND dn > ? ORDER BY dn LIMIT ?").bind(after, limit).all<LdapAccount>(),
  );
  return results;
}
