// The provider for the rebalance benchmark: `wrangler dev` on its own port with its
// own storage (load/.state/rebalance/), created with SHARD_COUNT=2 so the map starts
// on two shards. Users seeded there survive between runs; each run first moves
// every bucket back onto shard-0 and shard-1, then measures the grow to four.
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";
import { ROOT, runWrangler, spawnWrangler } from "../cli/lib/wrangler.ts";
import { healthy } from "./provider.ts";
import { STATE_DIR } from "./state.ts";

export const REBALANCE_PORT = 8791;
export const REBALANCE_DIR = join(STATE_DIR, "rebalance");
const PERSIST_DIR = join(REBALANCE_DIR, "wrangler");
const SNAPSHOT_DIR = join(REBALANCE_DIR, "snapshot");
const HEALTH_TIMEOUT_MS = 120_000;

export interface RunningProvider {
  base: string;
  adminToken: string;
  stop(): Promise<void>;
}

function adminToken(): string {
  const file = join(REBALANCE_DIR, "admin-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(REBALANCE_DIR, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString("base64url");
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/** Starts the benchmark's provider (or reuses one answering on the port). */
export async function startRebalanceProvider(log: (line: string) => void, port = REBALANCE_PORT): Promise<RunningProvider> {
  const base = `http://127.0.0.1:${port}`;
  const token = adminToken();
  if (await healthy(base)) {
    log(`using the provider already running at ${base}`);
    return { base, adminToken: token, stop: async () => {} };
  }
  mkdirSync(PERSIST_DIR, { recursive: true });
  // A copy of the sources, so an edit elsewhere in the tree does not restart the provider mid-run
  // (tsconfig.json too: it tells the bundler how to compile the pages' JSX).
  rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  for (const entry of ["src", "schema", "wrangler.jsonc", "tsconfig.json"]) cpSync(join(ROOT, entry), join(SNAPSHOT_DIR, entry), { recursive: true });
  const config = join(SNAPSHOT_DIR, "wrangler.jsonc");
  const migrated = await runWrangler(["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", PERSIST_DIR], {
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (migrated !== 0) throw new Error(`D1 migrations failed (wrangler exited with status ${migrated})`);

  const vars: Record<string, string> = { SHARD_COUNT: "2", ISSUER: base, ADMIN_TOKEN: token, SESSION_IDLE_TTL_S: "2592000", ACCESS_TOKEN_TTL_S: "3600" };
  const args = ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", PERSIST_DIR, "--log-level", "error", "--show-interactive-dev-session=false"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const logFile = join(REBALANCE_DIR, "wrangler.log");
  log(`starting wrangler dev on ${base} (storage ${PERSIST_DIR}, output ${logFile})`);
  const out = openSync(logFile, "a");
  const env = { ...process.env, X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false" };
  const child = spawnWrangler(args, { stdio: ["ignore", out, out], env });
  let exited = false;
  child.once("exit", () => (exited = true));
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!(await healthy(base))) {
    if (exited) throw new Error(`wrangler dev exited before the provider answered; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`the provider did not answer within ${HEALTH_TIMEOUT_MS / 1000} s; see ${logFile}`);
    }
    await sleep(500);
  }
  return { base, adminToken: token, stop: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
