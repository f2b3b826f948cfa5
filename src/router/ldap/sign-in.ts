import type { Config, LdapConfig } from "../../config";
import type { Env } from "../../env";
import { DIRECTORY_VERIFIER } from "../../actors/user-shard/api/ldap";
import { bucketOf } from "../../shard/bucket";
import { accountByDn } from "../d1/ldap-accounts";
import { userIdByEmail } from "../d1/user-emails";
import { checkKnownUser, checkPassword, type PasswordChecked } from "../endpoints/login";
import { normalizeEmail } from "../users/email";
import { applyDirectoryUser } from "./accounts";
import { authenticate, LdapUnavailable } from "./directory";

/** What the login form shows a directory user while the directory cannot be reached. */
export const DIRECTORY_UNAVAILABLE = "The company directory is unavailable right now, so directory accounts cannot sign in. Please try again in a few minutes.";

/** The password check's answer, as login.ts's checkPassword gives it (null: no such account, or refused). */
export type Checked = PasswordChecked;

/** The directory could not be asked; the login page shows DIRECTORY_UNAVAILABLE. */
export class DirectoryUnavailable extends Error {
  override readonly name = "DirectoryUnavailable";
}

async function bindDirectory(env: Env, config: Config, ldap: LdapConfig, typed: string, password: string, known: { userId: string; bucket: number } | null): Promise<Checked> {
  let answer: Awaited<ReturnType<typeof authenticate>>;
  try {
    answer = await authenticate(ldap, typed, password);
  } catch (error) {
    if (!(error instanceof LdapUnavailable)) throw error;
    console.warn(`directory sign-in: ${error.message}`);
    throw new DirectoryUnavailable(error.message);
  }
  // Typed by uid rather than email, a returning directory user is found by the entry's DN, so the failure counts against it too.
  const account = !known && answer.outcome === "wrong_password" ? await accountByDn(env.DB, answer.dn) : null;
  const owner = known ?? (account ? { userId: account.user_id, bucket: bucketOf(account.user_id) } : null);
  const failed = owner ? { ...owner, passwordOk: false, retryAfterS: 0 } : null;
  if (answer.outcome === "unknown" || answer.outcome === "wrong_password") return failed;
  if (answer.outcome === "disabled") {
    // Disabled in the directory: the local account follows at once (its sessions end), and the sign-in fails like a wrong password.
    await applyDirectoryUser(env, config, answer.profile, "disabled", "sync");
    return failed;
  }
  const applied = await applyDirectoryUser(env, config, answer.profile, "active", "sign_in");
  if (!applied.ok) return failed;
  return { userId: applied.userId, bucket: applied.bucket, passwordOk: true, retryAfterS: 0 };
}

/**
 * The login form's password check with a directory configured. A local account (its own
 * password verifier) is checked locally and never waits for the directory; a directory
 * user, or a name no local account has, is checked by binding to the directory. The
 * answer feeds completeLogin as before, so failures are counted and slowed down alike.
 */
export async function checkSignIn(env: Env, config: Config, typed: string, password: string): Promise<Checked> {
  const ldap = config.ldap;
  const email = normalizeEmail(typed);
  if (!ldap) return checkPassword(env, config, email, password);
  const userId = email ? await userIdByEmail(env.DB, email) : null;
  if (!userId) return bindDirectory(env, config, ldap, typed, password, null);
  return checkKnownUser(env, config, userId, password, (verifier, user) => (verifier === DIRECTORY_VERIFIER ? bindDirectory(env, config, ldap, typed, password, user) : null));
}
