// `npm run load`: provider, seeding, scenarios, report. See README "Load tests".
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { capacityMarkdown } from "./capacity.ts";
import { cpus } from "node:os";
import { CliError, parseCommand, runMain } from "../cli/lib/args.ts";
import { Http } from "./http.ts";
import { discover, type ClientConfig, type Endpoints } from "./oidc.ts";
import { resolveOptions, SPEC, type LoadOptions } from "./options.ts";
import { healthy, PERSIST_DIR, startOrReuse, type Provider } from "./provider.ts";
import { processName, shardDatabaseBytes } from "./proc.ts";
import { writeReport } from "./report/json.ts";
import { summaryText } from "./report/summary.ts";
import type { LoadReport, ScenarioResult, SeedingReport } from "./report/types.ts";
import { runScenario } from "./run.ts";
import { scenarioByName } from "./scenarios/index.ts";
import type { Vu } from "./scenarios/types.ts";
import { coverage, ensureClient, ensureSessions, ensureUsers, signInUser, type Admin } from "./seeder.ts";
import { LOAD_DIR, loadState, statePath, type LoadState } from "./state.ts";

const log = (line: string) => process.stderr.write(`[load] ${line}\n`);

function gitSource(): LoadReport["source"] {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "schema", "wrangler.jsonc"], { encoding: "utf8" }).trim() !== "";
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: false };
  }
}

const emptyVu = (index: number): Vu => ({ index, cookie: null, refreshToken: null, accessToken: null, codes: [] });

/** VU state for a foreign provider, supplied by whoever runs the test. */
function foreignVus(path: string, count: number): Vu[] {
  const rows = JSON.parse(readFileSync(path, "utf8")) as Array<{ cookie?: string; refresh_token?: string; access_token?: string }>;
  if (!Array.isArray(rows) || rows.length < count) throw new CliError(`${path} must hold a JSON array of at least --vus (${count}) entries`);
  return rows.slice(0, count).map((r, i) => ({ ...emptyVu(i), cookie: r.cookie ?? null, refreshToken: r.refresh_token ?? null, accessToken: r.access_token ?? null }));
}

interface Seeded {
  client: ClientConfig;
  vus: Vu[];
  report: SeedingReport;
  renew: (vu: Vu) => Promise<string>;
}

async function seed(http: Http, ep: Endpoints, admin: Admin, opts: LoadOptions): Promise<Seeded> {
  const path = statePath(admin.base);
  const state: LoadState = loadState(path, admin.base);
  const started = performance.now();
  const client = await ensureClient(http, admin, state);
  log(`seeding ${opts.users} users (state: ${path})`);
  const users = await ensureUsers(http, admin, state, path, opts.users, opts.seedConcurrency, log);
  log(`signing in ${opts.vus} virtual users`);
  const sessions = await ensureSessions(http, ep, client, state, path, opts.vus, opts.seedConcurrency);
  const vus = state.users.slice(0, opts.vus).map((u, i) => ({ ...emptyVu(i), cookie: state.sessions[u.email] ?? null }));
  const renew = (vu: Vu) => signInUser(http, ep, client, state, state.users[vu.index]!);
  const report: SeedingReport = {
    seconds: Math.round((performance.now() - started) / 100) / 10,
    usersRequested: opts.users,
    usersCreated: users.created,
    usersReused: users.reused,
    sessionsCreated: sessions.created,
    sessionsReused: sessions.reused,
    ...coverage(state.users.slice(0, opts.users)),
    shardBytesPerUser: null,
  };
  return { client, vus, report, renew };
}

async function main(): Promise<void> {
  const opts = resolveOptions(parseCommand(SPEC, process.argv.slice(2)));
  const startedAt = new Date().toISOString();
  let provider: Provider | null = null;
  if (opts.target === null) provider = await startOrReuse(opts.port, log, opts.keepProvider);
  else if (!(await healthy(opts.target)) && opts.foreign === null) throw new CliError(`${opts.target}/healthz does not answer 200`);
  const stop = async () => {
    if (provider?.started && !opts.keepProvider) {
      log("stopping the provider this run started");
      await provider.stop();
    }
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));

  const http = new Http(Math.min(opts.vus, 256));
  try {
    const base = provider?.base ?? opts.target!;
    if (provider) log(`provider processes: ${provider.pids.map((p) => `${p} (${processName(p)})`).join(", ") || "not found (no CPU figures)"}`);
    const ep = await discover(http, base);
    let seeded: Seeded | null = null;
    /** Operator access to an authshard target (null for a foreign one). */
    let admin: Admin | null = null;
    let client: ClientConfig;
    let vus: Vu[];
    if (opts.foreign) {
      client = { clientId: opts.foreign.clientId, clientSecret: opts.foreign.clientSecret, redirectUri: opts.foreign.redirectUri, scope: opts.scope };
      vus = foreignVus(opts.foreign.vuFile, opts.vus);
    } else {
      const token = provider?.adminToken ?? process.env.ADMIN_TOKEN;
      if (!token) throw new CliError("seeding an authshard target needs ADMIN_TOKEN in the environment");
      admin = { base, token };
      seeded = await seed(http, ep, admin, opts);
      // Measured before the scenarios add their codes and grants; the user count is every user the state holds.
      const bytes = provider ? shardDatabaseBytes(PERSIST_DIR) : null;
      if (bytes !== null) seeded.report.shardBytesPerUser = Math.round(bytes / Math.max(seeded.report.usersCreated + seeded.report.usersReused, 1));
      log(`seeding took ${seeded.report.seconds} s`);
      ({ client, vus } = seeded);
    }

    const results: ScenarioResult[] = [];
    for (const name of opts.scenarios) {
      const scenario = scenarioByName(name)!;
      const result = await runScenario(
        {
          http,
          ep,
          client,
          admin,
          providerPids: provider?.pids ?? [],
          lateMs: opts.lateMs,
          settleMs: opts.foreign ? 0 : 3_000,
          concurrency: opts.concurrency,
          renewSession: seeded?.renew ?? null,
          log,
        },
        scenario,
        vus,
        opts.profile,
      );
      const o = result.stats.overall;
      log(`${name}: ${o.count} requests, p95 ${o.p95} ms, p99 ${o.p99} ms, errors ${(o.errorRate * 100).toFixed(3)} % → ${result.verdict.pass ? "PASS" : "FAIL"}`);
      results.push(result);
    }

    const report: LoadReport = {
      version: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      target: base,
      mode: opts.mode,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, platform: process.platform },
      source: gitSource(),
      providerStarted: provider?.started ?? false,
      seeding: seeded?.report ?? null,
      scenarios: results,
    };
    const paths = writeReport(report);
    process.stdout.write(`\n${summaryText(report)}\n\nReport: ${paths.html}\n        ${paths.json}\n`);
    if (report.mode === "full" && !opts.foreign) {
      const capacity = join(LOAD_DIR, "CAPACITY.md");
      writeFileSync(capacity, capacityMarkdown(report, relative(join(LOAD_DIR, ".."), paths.json)));
      process.stdout.write(`Capacity model: ${capacity}\n`);
    }
    if (results.some((r) => !r.verdict.pass)) process.exitCode = 1;
  } finally {
    await http.close();
    await stop();
  }
}

runMain(main, "Run `npm run load -- --help` for usage.");
