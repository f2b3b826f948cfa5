/** The user shard's contract for LDAP / Active Directory users (ldap.ts). */
import type { UserView } from "./users.ts";

/**
 * The password credential of a directory user: not a verifier (verifyPassword refuses it),
 * a mark that the password lives in the directory. The row carries the sign-in failure
 * count, so wrong directory passwords slow the account down like local ones.
 */
export const DIRECTORY_VERIFIER = "ldap$directory";

/** What the directory says about one of its users, as the router read it at a sign-in or a sync. */
export interface DirectoryUserInput {
  id: string;
  bucket: number;
  email: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  /** The entry's DN as the directory spells it. */
  dn: string;
  groups: string[];
  roles: string[];
  /** active; disabled (the directory's disabled attribute); removed (gone from the directory at a sync). */
  state: "active" | "disabled" | "removed";
  /** sign_in: the person just bound with their password (audited as a directory sign-in); sync: the scheduled or operator sync. */
  reason: "sign_in" | "sync";
}

export interface DirectoryUserResult {
  user: UserView;
  change: "created" | "updated" | "unchanged" | "disabled";
}

/** The operator API's view of a directory user's link. */
export interface DirectoryLinkView {
  dn: string;
  groups: string[];
  roles: string[];
  state: "active" | "disabled" | "removed";
  synced_at: number;
}
