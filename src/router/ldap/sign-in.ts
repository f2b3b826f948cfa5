import type { Config } from "../../config";
import type { Env } from "../../env";
import { DIRECTORY_VERIFIER } from "../../actors/user-shard/api/ldap";
import { userIdByEmail } from "../d1/user-emails";
import { checkKnownUser, checkPassword, type PasswordChecked } from "../endpoints/login";
import { normalizeEmail } from "../users/email";

/** The password check's answer, as login.ts's checkPassword gives it (null: no such account, or refused). */
export type Checked = PasswordChecked;

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
  // The directory client loads with the first sign-in that needs it (../lazy.ts).
  const { bindDirectory } = await import("./bind");
  const userId = email ? await userIdByEmail(env.DB, email) : null;
  if (!userId) return bindDirectory(env, config, ldap, typed, password, null);
  return checkKnownUser(env, config, userId, password, (verifier, user) => (verifier === DIRECTORY_VERIFIER ? bindDirectory(env, config, ldap, typed, password, user) : null));
}
