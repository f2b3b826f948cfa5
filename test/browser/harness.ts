import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { unstable_startWorker } from "wrangler";
import { adminClient } from "../../cli/lib/admin-client.ts";
import { seedDemo } from "../../cli/lib/seed.ts";
import { ROOT, WRANGLER_JS } from "../../cli/lib/wrangler.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.ts";

/**
 * What every page test in Chromium starts from, as `npm start` runs it: Debian's
 * Chromium (never a downloaded one), and the worker under wrangler on a free loopback
 * port with its own storage, D1 migrations applied, the issuer set to the URL actually
 * served, and the demo data seeded.
 *
 * Speed without sharing state: the migrated D1 is built once per set of migrations and
 * copied into each harness's own storage; the worker starts with its issuer already set
 * (no restart); and one Chromium per run (test/browser/global-setup.ts) serves every file,
 * each harness holding its own connection (closing it closes that file's pages only).
 */
export { CHROMIUM, CHROMIUM_ARGS };
export const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
export const ARTIFACTS = join(ROOT, "test", "artifacts");
/** Without Chromium a local run skips the page tests; CI installs it, so there they must run. */
export const skipWithoutChromium = !existsSync(CHROMIUM) && !process.env.CI;

type DevWorker = Awaited<ReturnType<typeof unstable_startWorker>>;
type Bindings = Record<string, { type: "secret_text" | "plain_text"; value: string }>;

export interface PageHarness {
  base: string;
  browser: Browser;
  dispose(): Promise<void>;
}

const MIGRATIONS = join(ROOT, "schema", "d1", "migrations");
const TEMPLATES = join(ROOT, "node_modules", ".cache", "authshard-browser");

async function applyMigrations(persistTo: string): Promise<void> {
  await promisify(execFile)(process.execPath, [WRANGLER_JS, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    timeout: 90_000,
  });
}

/** The migration files' names and contents: a new or edited migration is a new template. */
function migrationsDigest(): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(MIGRATIONS).filter((f) => f.endsWith(".sql")).sort()) hash.update(name).update("\0").update(readFileSync(join(MIGRATIONS, name))).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/**
 * A local D1 with every migration applied, exactly as `wrangler d1 migrations apply` leaves
 * it, built once per set of migrations. Concurrent builders each build in a directory of
 * their own and rename it into place; the loser drops its copy and uses the winner's.
 */
export async function migratedTemplate(): Promise<string> {
  const template = join(TEMPLATES, `d1-${migrationsDigest()}`);
  if (existsSync(template)) return template;
  mkdirSync(TEMPLATES, { recursive: true });
  const building = mkdtempSync(join(TEMPLATES, "building-"));
  try {
    await applyMigrations(building);
    renameSync(building, template);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(template)) throw error;
  }
  return template;
}

/** A loopback port free right now (the worker binds it next, so its URL is known before it starts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The run's shared Chromium when global-setup started one, else one of this harness's own. */
async function openBrowser(): Promise<Browser> {
  const endpoint = inject("chromiumEndpoint");
  if (endpoint) return chromium.connect(endpoint);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The worker on a port chosen beforehand, with ISSUER already that URL; another port if someone took it. */
async function startWorker(bindings: Bindings, persistTo: string): Promise<{ worker: DevWorker; base: string }> {
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let worker: DevWorker | undefined;
    try {
      worker = await unstable_startWorker({
        config: join(ROOT, "wrangler.jsonc"),
        bindings: { ...bindings, ISSUER: { type: "plain_text", value: base } },
        dev: { server: { hostname: "127.0.0.1", port }, inspector: false, logLevel: "error", persist: persistTo, watch: false },
      });
      await worker.ready;
      const served = (await worker.url).origin;
      if (served !== base) throw new Error(`the worker serves ${served}, not ${base}`);
      return { worker, base };
    } catch (error) {
      await worker?.dispose().catch(() => {});
      if (tries >= 3) throw error;
    }
  }
}

/** Starts Chromium and the worker side by side (`extra` bindings besides the admin token), seeded. */
export async function startPageHarness(name: string, extra: Bindings = {}): Promise<PageHarness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const persistTo = mkdtempSync(join(tmpdir(), `authshard-browser-${name}-`));
  const bindings = { ADMIN_TOKEN: { type: "secret_text", value: ADMIN_TOKEN }, ...extra } as const;
  let browser: Browser | undefined;
  let worker: DevWorker | undefined;
  let base = "";
  const dispose = async () => {
    await browser?.close();
    await worker?.dispose();
    rmSync(persistTo, { recursive: true, force: true });
  };
  const started = await Promise.allSettled([
    openBrowser().then((b) => (browser = b)),
    migratedTemplate()
      .then((template) => cpSync(template, persistTo, { recursive: true }))
      .then(() => startWorker(bindings, persistTo))
      .then((w) => ({ worker, base } = w)),
  ]);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  await servingIssuer(base);
  if (!(await seedDemo(adminClient({ url: base, token: ADMIN_TOKEN }), () => {}))) {
    await dispose();
    throw new Error("seeding the demo data failed");
  }
  return { base, browser: browser!, dispose };
}

/**
 * After patchConfig the worker restarts; `ready` can resolve while a request would still
 * meet the old one mid-restart ("Your worker restarted mid-request"). Wait until the
 * served discovery document names the new issuer before anyone writes.
 */
export async function servingIssuer(base: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      const res = await fetch(`${base}/.well-known/openid-configuration`);
      if (res.ok && ((await res.json()) as { issuer?: string }).issuer === base) return;
    } catch {
      // restarting: try again
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the worker at ${base} never served issuer ${base}`);
}

/**
 * The harness for one test file: started before its tests, disposed of after them.
 * `const harness = usePageHarness("mfa")`, then `harness().base` inside a test.
 */
export function usePageHarness(name: string, extra: Bindings = {}): () => PageHarness {
  let harness: PageHarness | undefined;
  beforeAll(async () => {
    harness = await startPageHarness(name, extra);
  });
  afterAll(async () => {
    await harness?.dispose();
  });
  return () => {
    if (!harness) throw new Error(`the page harness "${name}" has not started`);
    return harness;
  };
}

/** A user made through the operator API of the harness's worker (POST /admin/users). */
export async function createUserThrough(base: string, fields: { email: string; password: string; name?: string }): Promise<{ user: { id: string } }> {
  const res = await fetch(`${base}/admin/users`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(fields),
  });
  if (res.status !== 201) throw new Error(`creating ${fields.email}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { user: { id: string } };
}
