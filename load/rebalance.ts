// Rebalance benchmark: `npm run load:rebalance -- [--users 10000] [--families 1000] [--rate 50]
// [--before 20] [--after 10] [--concurrency 4] [--max-rate R]` (R: bucket moves started per
// second, as the CLI's).
//
// 10,000 users on 2 shards, a constant-rate refresh loop over their refresh-token
// families, and `npm run shards -- rebalance --shards 4` in the middle of it. Reports
// the move's duration and fences (from the CLI), p50/p99 refresh latency before,
// during and after the move, errors, and lost or duplicated refreshes (targets: zero
// lost, zero duplicated, errors < 0.1 %). Not a test: it measures and writes
// load/reports/rebalance-<time>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseCommand, runMain, UsageError, type CommandSpec, type Values } from "../cli/lib/args.ts";
import { parallel } from "../cli/lib/parallel.ts";
import { MAX_CONCURRENCY } from "../cli/lib/shard-commands.ts";
import { Http } from "./http.ts";
import { authorizeWithSession, discover, redeemCode, type ClientConfig, type Endpoints } from "./oidc.ts";
import { LIMITS, num } from "./options.ts";
import { startRebalanceProvider } from "./rebalance-provider.ts";
import { RefreshStorm, type Family } from "./rebalance-storm.ts";
import { fileStamp, REPORTS_DIR } from "./report/json.ts";
import { ensureClient, ensureSessions, ensureUsers, signInUser } from "./seeder.ts";
import { runShardsCli } from "./shards-cli.ts";
import { loadState, statePath, type LoadState } from "./state.ts";

const SPEC = {
  usage: "npm run load:rebalance -- [options]",
  options: {
    users: { type: "string", placeholder: "N", description: "Users seeded on the benchmark's provider (default 10000; reused between runs)." },
    families: { type: "string", placeholder: "N", description: "Refresh-token families the loop rotates (default 1000, at most --users)." },
    rate: { type: "string", placeholder: "R", description: "Refreshes per second, constant arrival rate (default 50)." },
    before: { type: "string", placeholder: "S", description: "Seconds of refreshes before the rebalance starts (default 20)." },
    after: { type: "string", placeholder: "S", description: "Seconds of refreshes after it ends (default 10)." },
    concurrency: { type: "string", placeholder: "K", description: "Buckets moved at once, passed to `shards rebalance` (default 4)." },
    "max-rate": { type: "string", placeholder: "R", description: "Bucket moves started per second at most, passed on (default: unlimited)." },
  },
  notes:
    "Starts wrangler dev on 127.0.0.1:8791 with its own storage (load/.state/rebalance/), moves every\n" +
    "bucket onto shard-0 and shard-1, then runs `shards rebalance --shards 4` while the loop runs.\n" +
    "Writes load/reports/rebalance-<time>.json.",
} satisfies CommandSpec<Record<string, { type: "string"; description: string; placeholder: string }>>;

interface RebalanceOptions {
  users: number;
  families: number;
  rate: number;
  beforeS: number;
  afterS: number;
  concurrency: number;
  maxRate: number | null;
}

function resolveOptions(flags: Values<typeof SPEC.options>): RebalanceOptions {
  const options: RebalanceOptions = {
    users: Math.floor(num(flags, "users", 10_000, 1, LIMITS.users)),
    families: Math.floor(num(flags, "families", 1_000, 1, LIMITS.users)),
    rate: num(flags, "rate", 50, 0.1, LIMITS.rate),
    beforeS: num(flags, "before", 20, 0.1, LIMITS.seconds),
    afterS: num(flags, "after", 10, 0.1, LIMITS.seconds),
    concurrency: Math.floor(num(flags, "concurrency", 4, 1, MAX_CONCURRENCY)),
    maxRate: flags["max-rate"] === undefined ? null : num(flags, "max-rate", 0, 0.01, LIMITS.rate),
  };
  if (options.families > options.users) throw new UsageError(`--families (${options.families}) cannot exceed --users (${options.users})`);
  return options;
}

const log = (line: string) => process.stderr.write(`[rebalance] ${line}\n`);

async function main(): Promise<void> {
  const options = resolveOptions(parseCommand(SPEC, process.argv.slice(2)));
  const provider = await startRebalanceProvider(log);
  const admin = { base: provider.base, token: provider.adminToken };
  const shards = (...args: string[]) => runShardsCli(provider.base, provider.adminToken, args);
  try {
    const http = new Http(64);
    const ep = await discover(http, provider.base);
    const path = statePath(provider.base);
    const state = loadState(path, provider.base);
    const client = await ensureClient(http, admin, state);
    log(`seeding ${options.users} users (reused from earlier runs where present)`);
    await ensureUsers(http, admin, state, path, options.users, 8, log);
    await ensureSessions(http, ep, client, state, path, options.families, 8);

    log("bringing every bucket back onto shard-0 and shard-1");
    await shards("resume");
    await shards("rebalance", "--shards", "2", "--concurrency", "8");
    const before = (await shards("status")) as { version: number; shards: Array<{ name: string; buckets: number; users: number }> };
    log(`start: ${before.shards.map((s) => `${s.name} ${s.buckets} buckets, ${s.users} users`).join("; ")}`);

    const families = await mintFamilies(http, ep, client, state, options.families);
    log(`${families.length} refresh families; refreshing at ${options.rate}/s`);
    const storm = new RefreshStorm(http, ep, client, families, options.rate);
    const running = storm.run();
    await sleep(options.beforeS * 1000);

    log("rebalance --shards 4 starts");
    storm.setPhase("during");
    const rebalanceStartedAt = storm.elapsed();
    const throttle = options.maxRate !== null ? ["--max-rate", String(options.maxRate)] : [];
    const move = (await shards("rebalance", "--shards", "4", "--concurrency", String(options.concurrency), ...throttle)) as MoveSummary;
    storm.setPhase("after");
    const rebalanceEndedAt = storm.elapsed();
    log("rebalance finished; tail");
    await sleep(options.afterS * 1000);
    storm.stop();
    await running;
    await storm.finalCheck();
    const verify = (await shards("verify")) as { problems: unknown[] };
    const after = (await shards("status")) as typeof before;

    const report: RebalanceReport = {
      kind: "rebalance",
      at: new Date().toISOString(),
      users: options.users,
      concurrency: options.concurrency,
      maxRate: options.maxRate,
      rebalance: move,
      storm: storm.report(),
      verify: { problems: verify.problems.length },
      // Seconds on the refresh loop's clock: when the move ran, and when slow requests ended.
      timeline: { rebalanceStartedAt, rebalanceEndedAt, stalls: storm.stalls() },
      shardsBefore: before.shards,
      shardsAfter: after.shards,
    };
    mkdirSync(REPORTS_DIR, { recursive: true });
    const file = join(REPORTS_DIR, `rebalance-${fileStamp(report.at)}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    process.stdout.write(`${summary(report)}\n\nreport: ${file}\n`);
  } finally {
    await provider.stop();
  }
}

/** What `shards rebalance --json` reports of the move (the fields the summary shows). */
type MoveSummary = Record<string, unknown> & {
  moves?: number;
  seconds?: number;
  moves_per_second?: number;
  users_moved?: number;
  fence_ms?: { max: number; p50: number; p99: number };
};

interface RebalanceReport {
  kind: "rebalance";
  at: string;
  users: number;
  concurrency: number;
  maxRate: number | null;
  rebalance: MoveSummary;
  storm: ReturnType<RefreshStorm["report"]>;
  verify: { problems: number };
  timeline: { rebalanceStartedAt: number; rebalanceEndedAt: number; stalls: ReturnType<RefreshStorm["stalls"]> };
  shardsBefore: unknown[];
  shardsAfter: unknown[];
}

/** A fresh refresh-token family per user: authorize with the stored session, redeem the code. */
async function mintFamilies(http: Http, ep: Endpoints, client: ClientConfig, state: LoadState, count: number): Promise<Family[]> {
  const families: Family[] = [];
  await parallel(state.users.slice(0, count), 16, async (user) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const cookie = attempt === 0 ? state.sessions[user.email]! : await signInUser(http, ep, client, state, user);
      const { ticket } = await authorizeWithSession(http, ep, client, cookie);
      if (!ticket) continue;
      const { tokens } = await redeemCode(http, ep, client, ticket);
      if (tokens?.refreshToken) families.push({ email: user.email, token: tokens.refreshToken, busy: false, dead: false, uncertain: false });
      return;
    }
    throw new Error(`could not start a refresh family for ${user.email}`);
  });
  return families;
}

function summary(r: RebalanceReport): string {
  const m = r.rebalance;
  const s = r.storm;
  const row = (name: string, p: (typeof s.phases)["before"]) =>
    `| ${name} | ${p.seconds} | ${p.count} | ${p.p50} | ${p.p99} | ${p.max} | ${p.errors} (${(p.errorRate * 100).toFixed(3)} %) |`;
  return [
    `rebalance 2 → 4 shards (concurrency ${r.concurrency}, max rate ${r.maxRate ?? "none"}): ${m.moves} bucket moves in ${m.seconds} s (${m.moves_per_second} moves/s, ${m.users_moved} users moved)`,
    `fence per bucket: longest ${m.fence_ms?.max} ms, p50 ${m.fence_ms?.p50} ms, p99 ${m.fence_ms?.p99} ms`,
    `refresh loop: ${s.rate}/s over ${s.families} families; lost ${s.lost}, duplicated ${s.duplicated}, uncertain ${s.uncertain}, not sent (all families busy) ${s.dropped}`,
    `verify after the move: ${r.verify.problems} problems`,
    `requests over 1 s, grouped by when they ended (s into the loop; the move ran ${r.timeline.rebalanceStartedAt}–${r.timeline.rebalanceEndedAt}): ${r.timeline.stalls.map((g) => `${g.endedAt} s × ${g.requests} (max ${g.maxMs} ms)`).join(", ") || "none"}`,
    "",
    "| phase | seconds | refreshes | p50 ms | p99 ms | max ms | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    row("before the move", s.phases.before),
    row("during the move", s.phases.during),
    row("after the move", s.phases.after),
  ].join("\n");
}

runMain(main, "Run `npm run load:rebalance -- --help` for usage.");
