// Operator commands for shards and bucket moves: `npm run shards -- <command> [options]`.
import { hostname, userInfo } from "node:os";
import type { VerifyResponse } from "../src/router/endpoints/admin/shard-responses.ts";
import { adminClient } from "./lib/admin-client.ts";
import { runCommands, simpleCommand, type Command, type CommonValues } from "./lib/admin-commands.ts";
import { runMoves } from "./lib/move-runner.ts";
import { parallel } from "./lib/parallel.ts";
import type { RunSummary } from "./lib/move-runner.ts";
import { CliError } from "./lib/args.ts";
import { formatBackup, formatBackupFailures, formatBackups, formatRestore, formatRollback } from "./lib/backup-format.ts";
import { backupBuckets, restoreBuckets } from "./lib/backup-runner.ts";
import { SHARD_COMMANDS, pitrTarget, restoreScope, verifyRange, type ShardCommand } from "./lib/shard-commands.ts";
import { formatPlan, formatStatus, formatSummary, formatVerify } from "./lib/shard-format.ts";
import type { VerifySummary } from "./lib/shard-format.ts";
import { shardsApi, type ShardsApi } from "./lib/shards-api.ts";

const VERIFY_PAGE = 256;
const VERIFY_CONCURRENCY = 4;

type Options<C extends ShardCommand> = CommonValues<(typeof SHARD_COMMANDS)[C]["options"]>;

/** Who holds the directory's move lease while this command runs. */
const holder = `${safe(() => userInfo().username, "operator")}@${safe(hostname, "host")}:${process.pid}`;

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
}

async function status(api: ShardsApi, o: Options<"status">): Promise<void> {
  const shown = await api.status();
  print(o.json, shown, () => formatStatus(shown));
}

async function plan(api: ShardsApi, o: Options<"plan">): Promise<void> {
  const planned = await api.plan(o.shards, o.by ?? "buckets");
  print(o.json, planned, () => formatPlan(planned, o.all));
}

async function addShard(api: ShardsApi, o: Options<"add-shard">): Promise<void> {
  const added = await api.addShard();
  print(o.json, added, () => `added ${added.shard}: it owns no buckets yet; \`rebalance --shards N\` moves some to it`);
}

async function move(api: ShardsApi, o: Options<"move">): Promise<void> {
  const planned = (await api.createMove(o.bucket, o.to)).move;
  const summary = await runMoves(api.client, [planned], { holder, concurrency: 1, progress: false });
  finish(o, summary, () => `bucket ${planned.bucket}: ${planned.from} → ${planned.to}`);
}

async function rebalance(api: ShardsApi, o: Options<"rebalance">): Promise<void> {
  const recorded = await api.rebalance(o.shards, o.by ?? "buckets");
  if (recorded.plan_id === null) {
    print(o.json, { plan_id: null, moves: 0 }, () => `already balanced over ${o.shards} shards: nothing to move`);
    return;
  }
  const added = recorded.shards.filter((s) => s.new).map((s) => s.name);
  if (!o.json) process.stderr.write(`plan ${recorded.plan_id}: ${recorded.moves.length} moves${added.length ? `, new shards ${added.join(", ")}` : ""}\n`);
  const summary = await runMoves(api.client, recorded.moves, runOptions(o));
  finish(o, summary, () => `rebalance to ${o.shards} shards`, { plan_id: recorded.plan_id });
}

async function resume(api: ShardsApi, o: Options<"resume">): Promise<void> {
  const rollback = o.rollback;
  let cancelled = 0;
  if (rollback) {
    cancelled = (await api.cancelPlanned()).cancelled;
    if (cancelled > 0 && !o.json) process.stderr.write(`cancelled ${cancelled} moves that had not started\n`);
  }
  const rounds: RunSummary[] = [];
  for (;;) {
    const open = (await api.openMoves()).moves;
    if (open.length === 0) break;
    const summary = await runMoves(api.client, open, { ...runOptions(o), rollback });
    rounds.push(summary);
    if (summary.interrupted || summary.done + summary.rolled_back === 0) break;
  }
  if (rounds.length === 0) {
    print(o.json, { cancelled, moves: 0 }, () => (cancelled > 0 ? "no moves had started: nothing else to undo" : "no open moves: nothing to resume"));
    return;
  }
  finish(o, merge(rounds), () => (rollback ? "rollback" : "resume"), { cancelled });
}

async function verify(api: ShardsApi, o: Options<"verify">): Promise<void> {
  const { first, last } = verifyRange(o.from, o.to);
  const pages: number[] = [];
  for (let from = first; from <= last; from += VERIFY_PAGE) pages.push(from);
  const result: VerifySummary & { in_flight_copies: VerifyResponse["in_flight"] } = { buckets: last - first + 1, with_rows: 0, in_flight: 0, problems: [], in_flight_copies: [] };
  await parallel(pages, VERIFY_CONCURRENCY, async (from) => {
    const page = await api.verify(from, Math.min(VERIFY_PAGE, last - from + 1));
    result.with_rows += new Set(page.checksums.map((c) => c.bucket)).size;
    result.in_flight += page.in_flight.length;
    result.in_flight_copies.push(...page.in_flight);
    result.problems.push(...page.problems);
  });
  result.problems.sort((a, b) => a.bucket - b.bucket);
  print(o.json, result, () => formatVerify(result));
  if (result.problems.length > 0) process.exitCode = 1;
}

async function backup(api: ShardsApi, o: Options<"backup">): Promise<void> {
  const started = await api.startBackup();
  if (!o.json) process.stderr.write(`backup ${started.backup_id}: ${started.buckets.length} buckets hold rows (${started.empty_buckets} empty, nothing to do for them)\n`);
  const run = await backupBuckets((b) => api.backupBucket(started.backup_id, b), started.buckets, { concurrency: o.concurrency ?? 8, progress: !o.json });
  if (run.failed.length > 0) {
    print(o.json, { backup_id: started.backup_id, finished: false, failed: run.failed }, () => formatBackupFailures(started.backup_id, run));
    process.exitCode = 1;
    return;
  }
  const finished = await api.finishBackup(started.backup_id);
  print(o.json, { ...finished, seconds: run.seconds }, () => formatBackup(finished, run));
}

async function listBackups(api: ShardsApi, o: Options<"backups">): Promise<void> {
  const { backups } = await api.backups(o.limit ?? 20);
  print(o.json, backups, () => formatBackups(backups));
}

async function restore(api: ShardsApi, o: Options<"restore">): Promise<void> {
  const scope = restoreScope(o.bucket, o.all);
  const id = o.backup ?? (await newestComplete(api));
  const buckets = scope === "all" ? (await api.manifest(id)).buckets.map((b) => b.bucket) : [scope];
  if (!o.json) process.stderr.write(`restoring ${buckets.length} bucket${buckets.length === 1 ? "" : "s"} from backup ${id}${o.to ? ` into ${o.to}` : " into their owners"}\n`);
  const run = await restoreBuckets((b) => api.restore(id, b, { to: o.to, force: o.force }), buckets, { concurrency: o.concurrency ?? 8, progress: !o.json && buckets.length > 1 });
  print(o.json, { backup_id: id, ...run }, () => formatRestore(id, run));
  if (run.failed.length > 0) process.exitCode = 1;
}

async function newestComplete(api: ShardsApi): Promise<string> {
  const complete = (await api.backups(100)).backups.find((b) => b.state === "complete");
  if (!complete) throw new CliError("no complete backup in the backups bucket: `npm run shards -- backup` makes one (or name one with --backup)");
  return complete.backup_id;
}

async function pitr(api: ShardsApi, o: Options<"pitr">): Promise<void> {
  const rolled = await api.pitr(o.shard, pitrTarget(o.at, o.bookmark), o.force);
  print(o.json, rolled, () => formatRollback(rolled));
}

function runOptions(o: { concurrency: number | undefined; "max-rate"?: number | undefined; json: boolean }) {
  return {
    holder,
    concurrency: o.concurrency ?? 4,
    ...(o["max-rate"] !== undefined ? { maxRate: o["max-rate"] } : {}),
    progress: !o.json,
  };
}

function finish(o: { json: boolean }, summary: RunSummary, what: () => string, extra: object = {}): void {
  print(o.json, { ...extra, ...summary }, () => formatSummary(what(), summary));
  if (summary.failed.length > 0 || summary.interrupted) process.exitCode = 1;
}

function merge(rounds: RunSummary[]): RunSummary {
  const total = rounds.reduce((a, b) => ({
    ...a,
    moves: a.moves + b.moves,
    done: a.done + b.done,
    rolled_back: a.rolled_back + b.rolled_back,
    users_moved: a.users_moved + b.users_moved,
    seconds: a.seconds + b.seconds,
    interrupted: a.interrupted || b.interrupted,
    fence_ms: { max: Math.max(a.fence_ms.max, b.fence_ms.max), p50: Math.max(a.fence_ms.p50, b.fence_ms.p50), p99: Math.max(a.fence_ms.p99, b.fence_ms.p99) },
  }));
  const failed = rounds.at(-1)!.failed;
  return { ...total, failed, moves_per_second: total.seconds > 0 ? Math.round(((total.done + total.rolled_back) / total.seconds) * 100) / 100 : 0 };
}

interface CommandTraits<C extends ShardCommand> {
  /** Takes the directory's move lease, given back when the command ends, however it ends. */
  leasing?: boolean;
  /** Checks what the options cannot check one by one; throws UsageError before anything is sent. */
  check?: (o: Options<C>) => void;
}

/** A command of `npm run shards` (see shard-commands.ts). */
function command<C extends ShardCommand>(name: C, run: (api: ShardsApi, o: Options<C>) => Promise<void>, traits: CommandTraits<C> = {}): Command {
  const { leasing = false, check } = traits;
  const def = SHARD_COMMANDS[name];
  return simpleCommand("shards", name, def.summary, def.options, async (o) => {
    check?.(o);
    const api = shardsApi(adminClient({ url: o.url }), holder);
    try {
      await run(api, o);
    } finally {
      if (leasing) await api.releaseLease();
    }
  }, "notes" in def ? def.notes : undefined);
}

function safe(read: () => string, fallback: string): string {
  try {
    return read() || fallback;
  } catch {
    return fallback;
  }
}

runCommands("shards", {
  status: command("status", status),
  plan: command("plan", plan),
  "add-shard": command("add-shard", addShard, { leasing: true }),
  move: command("move", move, { leasing: true }),
  rebalance: command("rebalance", rebalance, { leasing: true }),
  resume: command("resume", resume, { leasing: true }),
  verify: command("verify", verify, { check: (o) => verifyRange(o.from, o.to) }),
  backup: command("backup", backup),
  backups: command("backups", listBackups),
  restore: command("restore", restore, { leasing: true, check: (o) => void restoreScope(o.bucket, o.all) }),
  pitr: command("pitr", pitr, { leasing: true, check: (o) => void pitrTarget(o.at, o.bookmark) }),
});
