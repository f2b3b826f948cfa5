// The two servers of the side-by-side benchmark, each under `wrangler dev --log-level
// error` with storage of its own: authshard (this tree, or another checkout to measure
// an older version) and the ceiling worker (load/ceiling). Each is seeded with the same
// number of lanes; authshard's through its real endpoints (users, sign-in, /authorize, /token).
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { spawnWrangler, ROOT } from "../../cli/lib/wrangler.ts";
import { parallel } from "../../cli/lib/parallel.ts";
import type { Http } from "../http.ts";
import { discover } from "../oidc.ts";
import { providerPids } from "../proc.ts";
import { healthy, startProvider, stopChild, type Provider } from "../provider.ts";
import { ScenarioRecorder } from "../report/stats.ts";
import { mintCodes, startFamilies } from "../scenarios/prepare.ts";
import type { ScenarioContext, Vu } from "../scenarios/types.ts";
import { ensureClient, ensureSessions, ensureUsers } from "../seeder.ts";
import { loadState, statePath, STATE_DIR } from "../state.ts";
import type { Lane, ScenarioName, Target } from "./lanes.ts";

export interface Server {
  target: Target;
  /** Fresh lanes for a scenario: `lanes` lanes with `codesPerLane` codes each for "code". */
  lanes(scenario: ScenarioName, lanes: number, codesPerLane: number): Promise<Lane[]>;
  /**
   * Waits until the background work of what came before (seeding, minting codes, the last
   * run) is done, so a measured run carries only the work of its own requests: authshard's
   * audit outbox is sent and its queue consumer had its batch window; the ceiling has none.
   */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** The audit queue's max_batch_timeout (wrangler.jsonc) plus a second: the consumer has taken the last batch by then. */
const AUDIT_BATCH_WINDOW_MS = 6_000;
const SETTLE_LIMIT_MS = 120_000;

const COMPARE_DIR = join(STATE_DIR, "compare");

/** authshard from `sourceDir`, fresh storage, seeded with `users` signed-in users. */
export async function startAuthshard(
  http: Http,
  port: number,
  sourceDir: string,
  users: number,
  log: (s: string) => void,
  inspectorPort?: number,
): Promise<Server> {
  const dir = join(COMPARE_DIR, "authshard");
  rmSync(dir, { recursive: true, force: true });
  const token = randomBytes(24).toString("base64url");
  // No METRICS: its counting proxies are work the product does not do in production.
  // RATE_LIMITS=off: one address at thousands of requests a second is what they refuse.
  const vars = { RATE_LIMITS: "off", CODE_TTL_S: "3600", ACCESS_TOKEN_TTL_S: "3600", SESSION_IDLE_TTL_S: "2592000" };
  const provider: Provider = await startProvider({ port, dir, vars, token, log, sourceDir, ...(inspectorPort === undefined ? {} : { inspectorPort }) });
  const base = provider.base;
  const ep = await discover(http, base);
  const admin = { base, token };
  const path = statePath(base);
  rmSync(path, { force: true });
  const state = loadState(path, base);
  const client = await ensureClient(http, admin, state);
  log(`authshard: seeding ${users} users and their sessions`);
  await ensureUsers(http, admin, state, path, users, 8, log);
  await ensureSessions(http, ep, client, state, path, users, 8);
  const ctx: ScenarioContext = { http, ep, client, recorder: new ScenarioRecorder(), t0: 0, renewSession: null, concurrency: 32, log, starved: 0 };
  const auth = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString("base64")}`;
  const target: Target = { name: "authshard", base, tokenHeaders: { authorization: auth }, pids: () => providerPids(port) };
  return {
    target,
    async lanes(scenario, count, codesPerLane) {
      const vus: Vu[] = state.users.slice(0, count).map((u, index) => ({ index, cookie: state.sessions[u.email] ?? null, refreshToken: null, accessToken: null, codes: [] }));
      if (scenario === "code") await mintCodes(ctx, vus, codesPerLane);
      else await startFamilies(ctx, vus);
      return vus.map((vu) => ({
        refreshToken: vu.refreshToken,
        accessToken: vu.accessToken,
        codes: vu.codes.map((t) => ({ code: t.code, code_verifier: t.verifier, redirect_uri: client.redirectUri })),
      }));
    },
    async settle() {
      const deadline = Date.now() + SETTLE_LIMIT_MS;
      for (;;) {
        const res = await http.request(`${base}/admin/shards`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`reading the shards' audit backlog failed: HTTP ${res.status}`);
        const waiting = (JSON.parse(res.text) as { shards: Array<{ outbox: number | null }> }).shards.reduce((n, s) => n + (s.outbox ?? 0), 0);
        if (waiting === 0) break;
        if (Date.now() > deadline) throw new Error(`authshard's audit outbox still holds ${waiting} events after ${SETTLE_LIMIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, AUDIT_BATCH_WINDOW_MS));
    },
    stop: () => provider.stop(),
  };
}

/** The ceiling worker, fresh storage. */
export async function startCeiling(http: Http, port: number, log: (s: string) => void): Promise<Server> {
  const dir = join(COMPARE_DIR, "ceiling");
  rmSync(dir, { recursive: true, force: true });
  const base = `http://127.0.0.1:${port}`;
  const config = join(ROOT, "load", "ceiling", "wrangler.jsonc");
  const env = { ...process.env, X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false" };
  const args = ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", dir, "--log-level", "error", "--show-interactive-dev-session=false"];
  const child = spawnWrangler(args, { stdio: ["ignore", "ignore", "inherit"], env });
  const deadline = Date.now() + 120_000;
  while (!(await healthy(base))) {
    if (child.exitCode !== null) throw new Error("the ceiling's wrangler dev exited before it answered");
    if (Date.now() > deadline) throw new Error(`the ceiling did not answer ${base}/healthz in 120 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`ceiling: listening on ${base}`);
  const target: Target = { name: "ceiling", base, tokenHeaders: {}, pids: () => providerPids(port) };
  return {
    target,
    async lanes(scenario, count, codesPerLane) {
      const codes = scenario === "code" ? codesPerLane : 0;
      const lanes: Lane[] = [];
      // In slices: one seeding request stays small.
      const slices = Array.from({ length: Math.ceil(count / 50) }, (_, i) => Math.min(50, count - i * 50));
      await parallel(slices, 4, async (n) => {
        const res = await http.request(`${base}/seed?users=${n}&codes=${codes}`, { method: "POST" });
        if (res.status !== 200) throw new Error(`seeding the ceiling failed: HTTP ${res.status}`);
        for (const row of JSON.parse(res.text) as Array<{ refresh_token: string; access_token: string; codes: string[] }>) {
          lanes.push({ refreshToken: row.refresh_token, accessToken: row.access_token, codes: row.codes.map((code) => ({ code })) });
        }
      });
      return lanes;
    },
    // No background work; the same pause keeps both sides' runs equally spaced.
    settle: () => new Promise((r) => setTimeout(r, AUDIT_BATCH_WINDOW_MS)),
    stop: () => stopChild(child),
  };
}
