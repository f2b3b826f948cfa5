import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { unstable_startWorker } from "wrangler";
import { adminClient } from "../../cli/lib/admin-client.ts";
import { seedDemo } from "../../cli/lib/seed.ts";
import { ROOT, WRANGLER_JS } from "../../cli/lib/wrangler.ts";

/**
 * What every page test in Chromium starts from, as `npm start` runs it: Debian's
 * Chromium (never a downloaded one), and the worker under wrangler on a free loopback
 * port with its own storage, D1 migrations applied, the issuer set to the URL actually
 * served, and the demo data seeded.
 */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
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

async function applyMigrations(persistTo: string): Promise<void> {
  await promisify(execFile)(process.execPath, [WRANGLER_JS, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    timeout: 90_000,
  });
}

/** Starts Chromium and the worker side by side (`extra` bindings besides the admin token), seeded. */
export async function startPageHarness(name: string, extra: Bindings = {}): Promise<PageHarness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const persistTo = mkdtempSync(join(tmpdir(), `authshard-browser-${name}-`));
  const bindings = { ADMIN_TOKEN: { type: "secret_text", value: ADMIN_TOKEN }, ...extra } as const;
  let browser: Browser | undefined;
  let worker: DevWorker | undefined;
  const dispose = async () => {
    await browser?.close();
    await worker?.dispose();
    rmSync(persistTo, { recursive: true, force: true });
  };
  const started = await Promise.allSettled([
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }).then((b) => (browser = b)),
    applyMigrations(persistTo)
      .then(() =>
        unstable_startWorker({
          config: join(ROOT, "wrangler.jsonc"),
          bindings,
          dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error", persist: persistTo, watch: false },
        }),
      )
      .then((w) => (worker = w)),
  ]);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  // The issuer must be the URL actually served, known only once the worker listens.
  await worker!.ready;
  const base = (await worker!.url).origin;
  await worker!.patchConfig({ bindings: { ...bindings, ISSUER: { type: "plain_text", value: base } } });
  await worker!.ready;
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
