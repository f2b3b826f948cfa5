// The local provider for load runs: reused when one already answers on the load
// port, otherwise started with `wrangler dev` and its own storage under
// load/.state/wrangler, so seeded users survive between runs and never mix with
// `npm start`'s. It runs with METRICS=1 (call counting), code and access-token
// lifetimes long enough for a full run's pre-minted codes, and RATE_LIMITS=off: the
// generator sends hundreds of requests a second from one address, which the per-address
// limits exist to refuse. startProvider is also
// how the rebalance benchmark starts its own (load/rebalance-provider.ts).
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";
import { readDevVar } from "../cli/lib/dev-vars.ts";
import { ROOT, runWrangler, spawnWrangler } from "../cli/lib/wrangler.ts";
import { providerPids } from "./proc.ts";
import { STATE_DIR } from "./state.ts";

export const LOAD_PORT = 8789;
export const PERSIST_DIR = join(STATE_DIR, "wrangler");
const HEALTH_TIMEOUT_MS = 120_000;

/** Worker variables of a load provider (see README "Load tests"). */
export const LOAD_VARS: Record<string, string> = {
  METRICS: "1",
  RATE_LIMITS: "off",
  CODE_TTL_S: "3600",
  ACCESS_TOKEN_TTL_S: "3600",
  SESSION_IDLE_TTL_S: "2592000",
};

export interface Provider {
  base: string;
  adminToken: string;
  /** True when this process started it (and stops it at the end). */
  started: boolean;
  /** workerd processes serving the port, for CPU sampling (empty if not found). */
  pids: number[];
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  /** State directory: storage in wrangler/, the source snapshot in snapshot/, output in wrangler.log. */
  dir: string;
  /** Worker variables besides ISSUER and ADMIN_TOKEN (which are set from the port and `token`). */
  vars: Record<string, string>;
  /** The operator token the provider is started with (and that a running one is assumed to have). */
  token: string;
  /** The provider outlives this process (own process group, not waited for). */
  keep?: boolean;
  /** The authshard checkout to run (default this one): the side-by-side benchmark can measure an older version. */
  sourceDir?: string;
  /** Serve the DevTools inspector on this port (CPU profiles: npm run load:profile). */
  inspectorPort?: number;
  log: (line: string) => void;
}

export async function healthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The operator token kept in `dir`/admin-token, created on first use. */
export function stateToken(dir: string): string {
  const file = join(dir, "admin-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** The operator token: ADMIN_TOKEN, else .dev.vars (wrangler dev loads it too), else the load state's own. */
function adminToken(): string {
  return (process.env.ADMIN_TOKEN ?? readDevVar(join(ROOT, ".dev.vars"), "ADMIN_TOKEN")) || stateToken(STATE_DIR);
}

/**
 * A copy of the worker's sources taken when the provider starts: `wrangler dev`
 * rebuilds on every change it sees, and an edit made elsewhere in the tree during
 * a run must not restart the provider (and reset its counters) halfway through.
 * tsconfig.json too: it tells the bundler to compile the pages' JSX with hono/jsx
 * (without it esbuild would find load/tsconfig.json). Packages still resolve from
 * the repository's node_modules further up.
 */
function snapshotSources(snapshotDir: string, sourceDir = ROOT): string {
  rmSync(snapshotDir, { recursive: true, force: true });
  for (const entry of ["src", "schema", "wrangler.jsonc", "tsconfig.json"]) cpSync(join(sourceDir, entry), join(snapshotDir, entry), { recursive: true });
  return join(snapshotDir, "wrangler.jsonc");
}

/** Reuses the provider answering on `port`, else starts `wrangler dev` there with the state in `dir`. */
export async function startProvider(opts: StartOptions): Promise<Provider> {
  const { port, dir, token, log } = opts;
  const base = `http://127.0.0.1:${port}`;
  if (await healthy(base)) {
    log(`using the provider already running at ${base}`);
    return { base, adminToken: token, started: false, pids: providerPids(port), stop: async () => {} };
  }
  const persistDir = join(dir, "wrangler");
  mkdirSync(persistDir, { recursive: true });
  const config = snapshotSources(join(dir, "snapshot"), opts.sourceDir);
  log(`applying D1 migrations (storage: ${persistDir})`);
  const migrated = await runWrangler(["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", persistDir], {
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (migrated !== 0) throw new Error(`D1 migrations failed (wrangler exited with status ${migrated})`);

  const vars = { ...opts.vars, ISSUER: base, ADMIN_TOKEN: token };
  const args = ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistDir, "--log-level", "error", "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  if (opts.inspectorPort !== undefined) args.push("--inspector-port", String(opts.inspectorPort));
  const logFile = join(dir, "wrangler.log");
  const out = openSync(logFile, "a");
  log(`starting wrangler dev on ${base} (output: ${logFile})`);
  // The dev server's own request tracing and data explorer store a trace of every request in
  // SQLite (hundreds of MB per run): a cost of the dev tooling, not of the worker, so off here.
  const env = { ...process.env, X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false" };
  const child = spawnWrangler(args, { stdio: ["ignore", out, out], env, detached: opts.keep === true });
  if (opts.keep) child.unref();
  let exited = false;
  child.once("exit", () => (exited = true));

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!(await healthy(base))) {
    if (exited) throw new Error(`wrangler dev exited before the provider answered; see ${logFile}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`the provider did not answer ${base}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s; see ${logFile}`);
    }
    await sleep(500);
  }
  if (opts.keep) log(`the provider keeps running (wrangler pid ${child.pid}); stop it with: kill ${child.pid}`);
  return { base, adminToken: token, started: true, pids: providerPids(port), stop: () => stopChild(child) };
}

/** The load provider on `port` (state in load/.state); `keep`: it outlives this process. */
export function startOrReuse(port: number, log: (line: string) => void, keep = false): Promise<Provider> {
  return startProvider({ port, dir: STATE_DIR, vars: LOAD_VARS, token: adminToken(), keep, log });
}

/** SIGTERM, then SIGKILL after 10 s: a wrangler dev this process started. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
