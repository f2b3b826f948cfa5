import type { Config, LdapConfig } from "../../config";
import type { Env } from "../../env";
import { bucketOf } from "../../shard/bucket";
import { accountByDn } from "../d1/ldap-accounts";
import { applyDirectoryUser } from "./accounts";
import { authenticate, LdapUnavailable } from "./directory";
import type { Checked } from "./sign-in";
import { DirectoryUnavailable } from "./unavailable";

/** A sign-in checked by binding to the directory (./sign-in.ts decides when; loaded then, see ../lazy.ts). */
export async function bindDirectory(env: Env, config: Config, ldap: LdapConfig, typed: string, password: string, known: { userId: string; bucket: number } | null): Promise<Checked> {
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

