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
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../cli/lib/wrangler.ts";
import { Http } from "./http.ts";
import { authorizeWithSession, discover, redeemCode, type ClientConfig, type Endpoints } from "./oidc.ts";
import { startRebalanceProvider } from "./rebalance-provider.ts";
import { RefreshStorm, type Family } from "./rebalance-storm.ts";
import { ensureClient, ensureSessions, ensureUsers, parallel, signInUser } from "./seeder.ts";
import { loadState, statePath, type LoadState } from "./state.ts";

const USAGE = `usage: npm run load:rebalance -- [options]

  --users N        users seeded on the benchmark's provider (default 10000; reused between runs)
  --families N     refresh-token families the loop rotates (default 1000, at most --users)
  --rate R         refreshes per second, constant arrival rate (default 50)
  --before S       seconds of refreshes before the rebalance starts (default 20)
  --after S        seconds of refreshes after it ends (default 10)
  --concurrency K  buckets moved at once, passed to \`shards rebalance\` (default 4)
  --max-rate R     bucket moves started per second at most, passed on (default: unlimited)

Starts wrangler dev on 127.0.0.1:8791 with its own storage (load/.state/rebalance/), moves every
bucket onto shard-0 and shard-1, then runs \`shards rebalance --shards 4\` while the loop runs.
Writes load/reports/rebalance-<time>.json.`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        help: { type: "boolean", short: "h" },
        users: { type: "string", default: "10000" },
        families: { type: "string", default: "1000" },
        rate: { type: "string", default: "50" },
        before: { type: "string", default: "20" },
        after: { type: "string", default: "10" },
        concurrency: { type: "string", default: "4" },
        "max-rate": { type: "string" },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
}
const opts = parseOptions();
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const num = (name: Exclude<keyof typeof opts, "help">) => {
  const value = Number(opts[name]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive number, got '${opts[name]}'\n`);
    process.exit(2);
  }
  return value;
};
for (const name of ["users", "families", "rate", "before", "after", "concurrency"] as const) num(name);
if (opts["max-rate"] !== undefined) num("max-rate");
if (num("families") > num("users")) {
  process.stderr.write(`--families (${opts.families}) cannot exceed --users (${opts.users})\n`);
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`[rebalance] ${line}\n`);

async function main(): Promise<void> {
  const provider = await startRebalanceProvider(log);
  const admin = { base: provider.base, token: provider.adminToken };
  const shards = (...args: string[]) => runShardsCli(provider.base, provider.adminToken, args);
  try {
    const http = new Http(64);
    const ep = await discover(http, provider.base);
    const path = statePath(provider.base);
    const state = loadState(path, provider.base);
    const client = await ensureClient(http, admin, state);
    log(`seeding ${num("users")} users (reused from earlier runs where present)`);
    await ensureUsers(http, admin, state, path, num("users"), 8, log);
    await ensureSessions(http, ep, client, state, path, num("families"), 8);

    log("bringing every bucket back onto shard-0 and shard-1");
    await shards("resume");
    await shards("rebalance", "--shards", "2", "--concurrency", "8");
    const before = (await shards("status")) as { version: number; shards: Array<{ name: string; buckets: number; users: number }> };
    log(`start: ${before.shards.map((s) => `${s.name} ${s.buckets} buckets, ${s.users} users`).join("; ")}`);

    const families = await mintFamilies(http, ep, client, state, num("families"));
    log(`${families.length} refresh families; refreshing at ${num("rate")}/s`);
    const storm = new RefreshStorm(http, ep, client, families, num("rate"));
    const running = storm.run();
    await sleep(num("before") * 1000);

    log("rebalance --shards 4 starts");
    storm.setPhase("during");
    const rebalanceStartedAt = storm.elapsed();
    const throttle = opts["max-rate"] ? ["--max-rate", String(num("max-rate"))] : [];
    const move = (await shards("rebalance", "--shards", "4", "--concurrency", String(num("concurrency")), ...throttle)) as Record<string, unknown>;
    storm.setPhase("after");
    const rebalanceEndedAt = storm.elapsed();
    log("rebalance finished; tail");
    await sleep(num("after") * 1000);
    storm.stop();
    await running;
    await storm.finalCheck();
    const verify = (await shards("verify")) as { problems: unknown[] };
    const after = (await shards("status")) as typeof before;

    const report = {
      kind: "rebalance",
      at: new Date().toISOString(),
      users: num("users"),
      concurrency: num("concurrency"),
      maxRate: opts["max-rate"] ?? null,
      rebalance: move,
      storm: storm.report(),
      verify: { problems: verify.problems.length },
      // Seconds on the refresh loop's clock: when the move ran, and when slow requests ended.
      timeline: { rebalanceStartedAt, rebalanceEndedAt, stalls: storm.stalls() },
      shardsBefore: before.shards,
      shardsAfter: after.shards,
    };
    const dir = join(ROOT, "load", "reports");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `rebalance-${report.at.replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    process.stdout.write(`${summary(report)}\n\nreport: ${file}\n`);
  } finally {
    await provider.stop();
  }
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
      if (tokens?.refreshToken) families.push({ email: user.email, token: tokens.refreshToken, busy: false, dead: false, uncertain: false, rotations: 0 });
      return;
    }
    throw new Error(`could not start a refresh family for ${user.email}`);
  });
  return families;
}

/** Runs `npm run shards -- <args> --json` against the benchmark's provider; its progress goes to stderr. */
function runShardsCli(base: string, token: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "cli", "shards.ts"), ...args, "--url", base, "--json"], {
      env: { ...process.env, ADMIN_TOKEN: token },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      try {
        const parsed: unknown = JSON.parse(out);
        if (code !== 0 && args[0] !== "verify") return reject(new Error(`shards ${args.join(" ")} exited ${code}: ${out.slice(0, 500)}`));
        resolve(parsed);
      } catch {
        reject(new Error(`shards ${args.join(" ")} exited ${code} without JSON: ${out.slice(0, 500)}`));
      }
    });
  });
}

function summary(r: {
  rebalance: Record<string, unknown>;
  storm: ReturnType<RefreshStorm["report"]>;
  verify: { problems: number };
  timeline: { rebalanceStartedAt: number; rebalanceEndedAt: number; stalls: ReturnType<RefreshStorm["stalls"]> };
}): string {
  const m = r.rebalance as { moves?: number; seconds?: number; moves_per_second?: number; users_moved?: number; fence_ms?: { max: number; p50: number; p99: number } };
  const s = r.storm;
  const row = (name: string, p: (typeof s.phases)["before"]) =>
    `| ${name} | ${p.seconds} | ${p.count} | ${p.p50} | ${p.p99} | ${p.max} | ${p.errors} (${(p.errorRate * 100).toFixed(3)} %) |`;
  return [
    `rebalance 2 → 4 shards (concurrency ${(r as { concurrency?: number }).concurrency}, max rate ${(r as { maxRate?: string | null }).maxRate ?? "none"}): ${m.moves} bucket moves in ${m.seconds} s (${m.moves_per_second} moves/s, ${m.users_moved} users moved)`,
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

main().catch((error: unknown) => {
  process.stderr.write(`[rebalance] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
