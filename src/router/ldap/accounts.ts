import type { Config } from "../../config";
import type { Env } from "../../env";
import { bucketOf, newUserId } from "../../shard/bucket";
import { accountByDn, forgetAccount, recordAccount } from "../d1/ldap-accounts";
import { releaseEmail, reserveEmail, userIdByEmail } from "../d1/user-emails";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { DirectoryProfile } from "./profile";

export type Applied =
  | { ok: true; userId: string; bucket: number; change: "created" | "updated" | "unchanged" | "disabled" }
  /** The entry's email is a local account's (or another directory entry's): never merged. */
  | { ok: false; reason: "conflict" | "not_created" };

type State = "active" | "disabled" | "removed";

/**
 * Finds the local user of a directory entry, or claims a new one: the DN first (its primary
 * key decides between two first sign-ins of one person racing each other — the loser takes the
 * winner's id, so both end in one account), then the email index (a local account's email is
 * never taken), then the shard; the claims are released when a later step fails.
 */
async function localUser(env: Env, profile: DirectoryProfile): Promise<{ userId: string; reserved: boolean } | null> {
  const known = await accountByDn(env.DB, profile.dn);
  if (known) return { userId: known.user_id, reserved: false };
  if (await userIdByEmail(env.DB, profile.email)) return null;
  const userId = newUserId();
  if (!(await recordAccount(env.DB, profile.dn, userId, profile.email))) {
    const raced = await accountByDn(env.DB, profile.dn);
    return raced ? { userId: raced.user_id, reserved: false } : null;
  }
  if (!(await reserveEmail(env.DB, profile.email, userId))) {
    await forgetAccount(env.DB, profile.dn, userId);
    return null;
  }
  return { userId, reserved: true };
}

/** Brings the local user in line with the directory: created (only while active), updated, or disabled. */
export async function applyDirectoryUser(env: Env, config: Config, profile: DirectoryProfile, state: State, reason: "sign_in" | "sync"): Promise<Applied> {
  if (state !== "active" && !(await accountByDn(env.DB, profile.dn))) return { ok: false, reason: "not_created" };
  const local = await localUser(env, profile);
  if (!local) return { ok: false, reason: "conflict" };
  const bucket = bucketOf(local.userId);
  const input = { id: local.userId, bucket, email: profile.email, name: profile.name, givenName: profile.givenName, familyName: profile.familyName, dn: profile.dn, groups: profile.groups, roles: profile.roles, state, reason };
  try {
    const result = await callShard(env, config, bucket, (shard) => shard.upsertDirectoryUser(input));
    if (!result.ok) {
      if (result.error === "conflict") return { ok: false, reason: "conflict" };
      throw shardFailure(result, "change", "bringing the directory user in");
    }
    if (!local.reserved && state === "active") await recordAccount(env.DB, profile.dn, local.userId, profile.email);
    return { ok: true, userId: local.userId, bucket, change: result.change };
  } catch (error) {
    if (local.reserved) {
      await forgetAccount(env.DB, profile.dn, local.userId);
      await releaseEmail(env.DB, profile.email, local.userId);
    }
    throw error;
  }
}
