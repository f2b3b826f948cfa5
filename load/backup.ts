// Backup benchmark: `npm run load:backup -- [--users 10000] [--families 500] [--concurrency 8]`.
//
// Seeds users on its own provider, takes a backup of every bucket to R2 with
// `npm run shards -- backup`, adds an empty shard and restores every bucket of the
// backup into it (`restore --all --to <new shard> --force`: the disaster case, where
// the owners' copies are not to be trusted), then compares every bucket's checksum
// before and after and checks that users still sign in and refresh. Reports the time
// and size of both; writes load/reports/backup-<time>.json. Not a test: it measures.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommand, runMain, type CommandSpec, type Values } from "../cli/lib/args.ts";
import { parallel } from "../cli/lib/parallel.ts";
import { MAX_CONCURRENCY } from "../cli/lib/shard-commands.ts";
import { BUCKET_COUNT } from "../src/shard/limits.ts";
import { Http } from "./http.ts";
import { authorizeWithSession, discover, redeemCode, refresh, type ClientConfig, type Endpoints } from "./oidc.ts";
import { LIMITS, num } from "./options.ts";
import { startProvider, stateToken } from "./provider.ts";
import { fileStamp, REPORTS_DIR } from "./report/json.ts";
import { ensureClient, ensureSessions, ensureUsers, signInUser } from "./seeder.ts";
import { runShardsCli } from "./shards-cli.ts";
import { loadState, STATE_DIR, statePath, type LoadState } from "./state.ts";

const PORT = 8793;
const DIR = join(STATE_DIR, "backup");

const SPEC = {
  usage: "npm run load:backup -- [options]",
  options: {
    users: { type: "string", placeholder: "N", description: "Users seeded on the benchmark's provider (default 10000; reused between runs)." },
    families: { type: "string", placeholder: "N", description: "Users signed in with a refresh-token family, checked after the restore (default 500)." },
    concurrency: { type: "string", placeholder: "K", description: "Buckets backed up and restored at once (default 8)." },
  },
  notes:
    "Starts wrangler dev on 127.0.0.1:8793 with its own storage (load/.state/backup/). Each run adds one\n" +
    "empty shard and restores every bucket into it. Writes load/reports/backup-<time>.json.",
} satisfies CommandSpec<Record<string, { type: "string"; description: string; placeholder: string }>>;

const log = (line: string) => process.stderr.write(`[backup] ${line}\n`);

type Checksums = Map<number, string>;

async function main(): Promise<void> {
  const flags: Values<typeof SPEC.options> = parseCommand(SPEC, process.argv.slice(2));
  const users = Math.floor(num(flags, "users", 10_000, 1, LIMITS.users));
  const familyCount = Math.min(users, Math.floor(num(flags, "families", 500, 0, LIMITS.users)));
  const concurrency = String(Math.floor(num(flags, "concurrency", 8, 1, MAX_CONCURRENCY)));
  const provider = await startProvider({ port: PORT, dir: DIR, vars: { SHARD_COUNT: "4" }, token: stateToken(DIR), log });
  const shards = (...args: string[]) => runShardsCli(provider.base, provider.adminToken, args, ["verify", "backup", "restore"]);
  try {
    const http = new Http(64);
    const ep = await discover(http, provider.base);
    const path = statePath(provider.base);
    const state = loadState(path, provider.base);
    const admin = { base: provider.base, token: provider.adminToken };
    const client = await ensureClient(http, admin, state);
    log(`seeding ${users} users (reused from earlier runs where present)`);
    await ensureUsers(http, admin, state, path, users, 8, log);
    await ensureSessions(http, ep, client, state, path, familyCount, 8);
    const families = await mintFamilies(http, ep, client, state, familyCount);
    log(`${families.length} users signed in with a refresh-token family`);

    // Audit events wait a second in their shard's outbox (a per-user table) before delivery:
    // compare buckets once they are delivered, or the delivery would read as a difference.
    await outboxDrained(provider.base, provider.adminToken);
    const before = await checksums(provider.base, provider.adminToken);
    log(`backup of ${before.size} buckets with rows`);
    let started = Date.now();
    const backup = (await shards("backup", "--concurrency", concurrency)) as BackupAnswer;
    const backupSeconds = (Date.now() - started) / 1000;
    if (!backup.manifest_key) throw new Error(`the backup did not finish: ${JSON.stringify(backup).slice(0, 500)}`);

    const { shard } = (await shards("add-shard")) as { shard: string };
    log(`restore --all into the new, empty ${shard}`);
    started = Date.now();
    const restore = (await shards("restore", "--all", "--backup", backup.backup_id, "--to", shard, "--force", "--concurrency", concurrency)) as RestoreAnswer;
    const restoreSeconds = (Date.now() - started) / 1000;

    const after = await checksums(provider.base, provider.adminToken);
    const differing = [...new Set([...before.keys(), ...after.keys()])].filter((b) => before.get(b) !== after.get(b));
    const verify = (await shards("verify")) as { problems: unknown[] };
    const signIns = await sample(state.users.slice(0, 50), async (user) => Boolean(await signInUser(http, ep, client, state, user)));
    const refreshes = await sample(families, async (token) => (await refresh(http, ep, client, token)).outcome.ok);

    const report = {
      kind: "backup",
      at: new Date().toISOString(),
      users,
      concurrency: Number(concurrency),
      backup: { id: backup.backup_id, seconds: backupSeconds, cliSeconds: backup.seconds, totals: backup.totals },
      restore: { into: shard, seconds: restoreSeconds, cliSeconds: restore.seconds, restored: restore.restored.length, failed: restore.failed.length, rows: restore.restored.reduce((s, r) => s + r.rows, 0), users: restore.restored.reduce((s, r) => s + r.users, 0) },
      checksums: { buckets: before.size, equal: before.size - differing.length, differing: differing.slice(0, 20) },
      verify: { problems: verify.problems.length },
      afterRestore: { signIns, refreshes },
    };
    mkdirSync(REPORTS_DIR, { recursive: true });
    const file = join(REPORTS_DIR, `backup-${fileStamp(report.at)}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    process.stdout.write(`${summary(report)}\n\nreport: ${file}\n`);
    if (differing.length > 0 || restore.failed.length > 0 || verify.problems.length > 0) process.exitCode = 1;
  } finally {
    await provider.stop();
  }
}

interface BackupAnswer {
  backup_id: string;
  manifest_key?: string;
  seconds: number;
  totals: { buckets: number; empty_buckets: number; rows: number; users: number; bytes: number };
}

interface RestoreAnswer {
  seconds: number;
  restored: Array<{ rows: number; users: number }>;
  failed: unknown[];
}

/** Every bucket's checksum (a short hash over its per-table counts and SHA-256s) on the shard that holds it. */
async function checksums(base: string, token: string): Promise<Checksums> {
  const out: Checksums = new Map();
  for (let from = 0; from < BUCKET_COUNT; from += 512) {
    const res = await fetch(`${base}/admin/shards/verify?from=${from}&count=512`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`verify ${from}: HTTP ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { checksums: Array<{ bucket: number; rows: number; hash: string }> };
    for (const c of page.checksums) out.set(c.bucket, `${c.rows}:${c.hash}`);
  }
  return out;
}

async function outboxDrained(base: string, token: string): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 500) {
    const res = await fetch(`${base}/admin/shards`, { headers: { authorization: `Bearer ${token}` } });
    const status = (await res.json()) as { shards: Array<{ outbox: number | null }> };
    if (status.shards.every((s) => s.outbox === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("audit events still waiting in the shards' outboxes after a minute");
}

/** A refresh-token family for each of the first `count` users: authorize with the stored session, redeem the code. */
async function mintFamilies(http: Http, ep: Endpoints, client: ClientConfig, state: LoadState, count: number): Promise<string[]> {
  const tokens: string[] = [];
  await parallel(state.users.slice(0, count), 16, async (user) => {
    const cookie = state.sessions[user.email] ?? (await signInUser(http, ep, client, state, user));
    const { ticket } = await authorizeWithSession(http, ep, client, cookie);
    const redeemed = ticket ? await redeemCode(http, ep, client, ticket) : null;
    if (redeemed?.tokens?.refreshToken) tokens.push(redeemed.tokens.refreshToken);
  });
  return tokens;
}

async function sample<T>(items: readonly T[], check: (item: T) => Promise<boolean>): Promise<{ tried: number; ok: number }> {
  let ok = 0;
  await parallel(items, 8, async (item) => {
    if (await check(item).catch(() => false)) ok++;
  });
  return { tried: items.length, ok };
}

function summary(r: { users: number; backup: { seconds: number; totals: BackupAnswer["totals"] }; restore: { into: string; seconds: number; restored: number; failed: number; rows: number; users: number }; checksums: { buckets: number; equal: number }; verify: { problems: number }; afterRestore: { signIns: { tried: number; ok: number }; refreshes: { tried: number; ok: number } } }): string {
  const t = r.backup.totals;
  const mib = (t.bytes / 1024 / 1024).toFixed(2);
  return [
    `backup: ${t.buckets} buckets with rows (${t.empty_buckets} empty), ${t.users} users, ${t.rows} rows, ${mib} MiB gzip in ${r.backup.seconds.toFixed(1)} s`,
    `restore --all into ${r.restore.into}: ${r.restore.restored} buckets (${r.restore.failed} failed), ${r.restore.users} users, ${r.restore.rows} rows in ${r.restore.seconds.toFixed(1)} s`,
    `checksums equal before and after: ${r.checksums.equal} of ${r.checksums.buckets} buckets; verify: ${r.verify.problems} problems`,
    `after the restore: ${r.afterRestore.signIns.ok}/${r.afterRestore.signIns.tried} users signed in, ${r.afterRestore.refreshes.ok}/${r.afterRestore.refreshes.tried} refresh tokens from before the backup rotated`,
  ].join("\n");
}

runMain(main, "Run `npm run load:backup -- --help` for usage.");
