// Operator commands for shards and bucket moves: `npm run shards -- <command> [options]`.
import { hostname, userInfo } from "node:os";
import { UsageError, runMain } from "./lib/args.ts";
import { adminClient } from "./lib/admin-client.ts";
import type { AdminClient } from "./lib/admin-client.ts";
import { expectStatus } from "./lib/admin-commands.ts";
import { runMoves } from "./lib/move-runner.ts";
import { parallel } from "./lib/parallel.ts";
import type { Move, RunSummary } from "./lib/move-runner.ts";
import { BUCKETS, COMMANDS, ShardsUsageError, commandHelp, parseShardsArgv, topHelp } from "./lib/shard-argv.ts";
import { formatPlan, formatStatus, formatSummary, formatVerify } from "./lib/shard-format.ts";
import type { Plan, Status, VerifySummary } from "./lib/shard-format.ts";

let helpHint = "Run `npm run shards -- --help` for usage.";
const VERIFY_PAGE = 256;
const VERIFY_CONCURRENCY = 4;

type Options = Record<string, string | number | boolean | undefined>;

/** Who holds the directory's move lease while this command runs. */
const holder = `${safe(() => userInfo().username, "operator")}@${safe(hostname, "host")}:${process.pid}`;

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
}

async function status(client: AdminClient, o: Options): Promise<void> {
  const res = await client.request("GET", "/admin/shards");
  expectStatus(res, [200]);
  print(o.json === true, res.body, () => formatStatus(res.body as Status));
}

async function plan(client: AdminClient, o: Options): Promise<void> {
  const query = new URLSearchParams({ shards: String(o.shards), by: String(o.by ?? "buckets") });
  const res = await client.request("GET", `/admin/shards/plan?${query}`);
  expectStatus(res, [200]);
  print(o.json === true, res.body, () => formatPlan(res.body as Plan, o.all === true));
}

async function addShard(client: AdminClient, o: Options): Promise<void> {
  const res = await client.request("POST", "/admin/shards/add", { holder });
  expectStatus(res, [201]);
  const name = (res.body as { shard: string }).shard;
  print(o.json === true, res.body, () => `added ${name}: it owns no buckets yet; \`rebalance --shards N\` moves some to it`);
}

async function move(client: AdminClient, o: Options): Promise<void> {
  const res = await client.request("POST", "/admin/shards/moves", { holder, bucket: o.bucket, to: o.to });
  expectStatus(res, [201]);
  const planned = (res.body as { move: Move }).move;
  const summary = await runMoves(client, [planned], { holder, concurrency: 1, progress: false });
  finish(o, summary, () => `bucket ${planned.bucket}: ${planned.from} → ${planned.to}`);
}

async function rebalance(client: AdminClient, o: Options): Promise<void> {
  const res = await client.request("POST", "/admin/shards/rebalance", { holder, shards: o.shards, by: o.by ?? "buckets" });
  expectStatus(res, [200, 201]);
  const recorded = res.body as Plan & { plan_id: string | null; moves: Move[] };
  if (recorded.moves.length === 0) {
    print(o.json === true, { plan_id: null, moves: 0 }, () => `already balanced over ${o.shards} shards: nothing to move`);
    return;
  }
  const added = recorded.shards.filter((s) => s.new).map((s) => s.name);
  if (!o.json) process.stderr.write(`plan ${recorded.plan_id}: ${recorded.moves.length} moves${added.length ? `, new shards ${added.join(", ")}` : ""}\n`);
  const summary = await runMoves(client, recorded.moves, runOptions(o));
  finish(o, summary, () => `rebalance to ${o.shards} shards`, { plan_id: recorded.plan_id });
}

async function resume(client: AdminClient, o: Options): Promise<void> {
  const rollback = o.rollback === true;
  let cancelled = 0;
  if (rollback) {
    const res = await client.request("POST", "/admin/shards/moves/cancel", { holder });
    expectStatus(res, [200]);
    cancelled = (res.body as { cancelled: number }).cancelled;
    if (cancelled > 0 && !o.json) process.stderr.write(`cancelled ${cancelled} moves that had not started\n`);
  }
  const rounds: RunSummary[] = [];
  for (;;) {
    const res = await client.request("GET", "/admin/shards/moves?open=true&limit=500");
    expectStatus(res, [200]);
    const open = (res.body as { moves: Move[] }).moves;
    if (open.length === 0) break;
    const summary = await runMoves(client, open, { ...runOptions(o), rollback });
    rounds.push(summary);
    if (summary.interrupted || summary.done + summary.rolled_back === 0) break;
  }
  if (rounds.length === 0) {
    print(o.json === true, { cancelled, moves: 0 }, () => (cancelled > 0 ? "no moves had started: nothing else to undo" : "no open moves: nothing to resume"));
    return;
  }
  finish(o, merge(rounds), () => (rollback ? "rollback" : "resume"), { cancelled });
}

async function verify(client: AdminClient, o: Options): Promise<void> {
  const first = typeof o.from === "number" ? o.from : 0;
  const last = typeof o.to === "number" ? o.to : BUCKETS - 1;
  const pages: number[] = [];
  for (let from = first; from <= last; from += VERIFY_PAGE) pages.push(from);
  const result: VerifySummary & { in_flight_copies: unknown[] } = { buckets: last - first + 1, with_rows: 0, in_flight: 0, problems: [], in_flight_copies: [] };
  await parallel(pages, VERIFY_CONCURRENCY, async (from) => {
    const count = Math.min(VERIFY_PAGE, last - from + 1);
    const res = await client.request("GET", `/admin/shards/verify?from=${from}&count=${count}`);
    expectStatus(res, [200]);
    const page = res.body as { checksums: Array<{ bucket: number }>; in_flight: unknown[]; problems: VerifySummary["problems"] };
    result.with_rows += new Set(page.checksums.map((c) => c.bucket)).size;
    result.in_flight += page.in_flight.length;
    result.in_flight_copies.push(...page.in_flight);
    result.problems.push(...page.problems);
  });
  result.problems.sort((a, b) => a.bucket - b.bucket);
  print(o.json === true, result, () => formatVerify(result));
  if (result.problems.length > 0) process.exitCode = 1;
}

function runOptions(o: Options) {
  return {
    holder,
    concurrency: typeof o.concurrency === "number" ? o.concurrency : 4,
    ...(typeof o["max-rate"] === "number" ? { maxRate: o["max-rate"] } : {}),
    progress: o.json !== true,
  };
}

function finish(o: Options, summary: RunSummary, what: () => string, extra: object = {}): void {
  print(o.json === true, { ...extra, ...summary }, () => formatSummary(what(), summary));
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

const handlers: Record<string, (client: AdminClient, o: Options) => Promise<void>> = {
  status,
  plan,
  "add-shard": addShard,
  move,
  rebalance,
  resume,
  verify,
};
/** Commands that take the directory's move lease, which is given back when they end. */
const LEASING = new Set(["add-shard", "move", "rebalance", "resume"]);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] && Object.hasOwn(COMMANDS, argv[0])) helpHint = `Run \`npm run shards -- ${argv[0]} --help\` for usage.`;
  let parsed;
  try {
    parsed = parseShardsArgv(argv);
  } catch (error) {
    if (error instanceof ShardsUsageError) throw new UsageError(error.message);
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(parsed.command ? commandHelp(parsed.command) : topHelp());
    return;
  }
  const client = adminClient({ url: typeof parsed.options.url === "string" ? parsed.options.url : undefined });
  try {
    await handlers[parsed.command]!(client, parsed.options);
  } finally {
    if (LEASING.has(parsed.command)) await client.request("POST", "/admin/shards/lease/release", { holder }).catch(() => undefined);
  }
}

function safe(read: () => string, fallback: string): string {
  try {
    return read() || fallback;
  } catch {
    return fallback;
  }
}

runMain(main, () => helpHint);
