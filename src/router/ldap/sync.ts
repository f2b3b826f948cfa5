import { loadConfig, type Config } from "../../config";
import type { Env } from "../../env";
import { liveAccounts, markRemoved } from "../d1/ldap-accounts";
import { applyDirectoryUser, type Applied } from "./accounts";
import { LdapUnavailable, readDirectory } from "./directory";
import type { DirectoryProfile } from "./profile";

/** What a sync did (the operator trigger's answer, and the scheduled run's log line). */
export interface SyncSummary {
  /** Entries the user filter matched. */
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Disabled in the directory, or gone from it: disabled here, their sessions ended. */
  disabled: number;
  /** Entries whose email is a local account's: left alone. */
  conflicts: number;
}

/** Shard calls in flight at once: a large directory must not open thousands of RPCs together. */
const PARALLEL = 8;
const PAGE = 200;

function count(summary: SyncSummary, applied: Applied): void {
  if (applied.ok) summary[applied.change] += 1;
  else if (applied.reason === "conflict") summary.conflicts += 1;
}

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(work));
}

/**
 * One sync: every directory user created or updated here (groups and roles too), disabled
 * ones disabled; then every local directory user the directory no longer lists is disabled
 * and marked removed. Idempotent, so a sync cut short is finished by the next one.
 */
export async function syncDirectory(env: Env, config: Config): Promise<SyncSummary> {
  if (!config.ldap) throw new LdapUnavailable("LDAP_URL is not set");
  const profiles = await readDirectory(config.ldap);
  const summary: SyncSummary = { seen: profiles.length, created: 0, updated: 0, unchanged: 0, disabled: 0, conflicts: 0 };
  await inBatches(profiles, async (profile) => count(summary, await applyDirectoryUser(env, config, profile, profile.disabled ? "disabled" : "active", "sync")));
  const listed = new Set(profiles.map((p) => p.dn.toLowerCase()));
  let after = "";
  for (;;) {
    const accounts = await liveAccounts(env.DB, after, PAGE);
    const gone = accounts.filter((a) => !listed.has(a.dn));
    await inBatches(gone, async (account) => {
      const profile: DirectoryProfile = { dn: account.dn, email: account.email, name: null, givenName: null, familyName: null, disabled: true, groups: [], roles: [] };
      count(summary, await applyDirectoryUser(env, config, profile, "removed", "sync"));
      await markRemoved(env.DB, account.dn);
    });
    if (accounts.length < PAGE) break;
    after = accounts[accounts.length - 1]!.dn;
  }
  return summary;
}

/** The cron trigger: a sync when a directory is configured and LDAP_SYNC is on; an outage is logged, not thrown. */
export async function scheduledDirectorySync(env: Env): Promise<void> {
  const config = loadConfig(env);
  // Direct bind without a service account cannot list the directory: nothing to sync.
  if (!config.ldap?.sync || config.ldap.bindDn === null) return;
  try {
    console.log(JSON.stringify({ ldap_sync: await syncDirectory(env, config) }));
  } catch (error) {
    if (!(error instanceof LdapUnavailable)) throw error;
    console.warn(`ldap sync skipped: ${error.message}`);
  }
}
