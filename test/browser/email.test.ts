import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_startWorker } from "wrangler";
import { adminClient } from "../../cli/lib/admin-client.ts";
import { DEMO_APP, DEMO_USER, seedDemo } from "../../cli/lib/seed.ts";
import { ROOT, WRANGLER_JS } from "../../cli/lib/wrangler.ts";

/**
 * Email sign-in in real headless Chromium, as `npm start` runs it: "Email me a code" on the
 * login page, the message read from the development mailbox (/dev/mail), then signing in
 * by typing the code, and (another time) by opening the magic link in the same browser.
 */

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const ADMIN_TOKEN = "browser-test-admin-token-0123456789";
const ARTIFACTS = join(ROOT, "test", "artifacts");
const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const skip = !existsSync(CHROMIUM) && !process.env.CI;

type DevWorker = Awaited<ReturnType<typeof unstable_startWorker>>;
const BINDINGS = { ADMIN_TOKEN: { type: "secret_text", value: ADMIN_TOKEN } } as const;

async function applyMigrations(persistTo: string): Promise<void> {
  await promisify(execFile)(process.execPath, [WRANGLER_JS, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    timeout: 90_000,
  });
}

function startWorker(persistTo: string): Promise<DevWorker> {
  return unstable_startWorker({
    config: join(ROOT, "wrangler.jsonc"),
    bindings: BINDINGS,
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: "error", persist: persistTo, watch: false },
  });
}

/** The issuer must be the URL actually served (known once the worker listens), as in sign-in.test.ts. */
async function useServedUrlAsIssuer(worker: DevWorker): Promise<string> {
  await worker.ready;
  const base = (await worker.url).origin;
  await worker.patchConfig({ bindings: { ...BINDINGS, ISSUER: { type: "plain_text", value: base } } });
  await worker.ready;
  return base;
}

describe.skipIf(skip)("email code and magic link in headless Chromium", () => {
  let persistTo: string;
  let worker: DevWorker | undefined;
  let base: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    persistTo = mkdtempSync(join(tmpdir(), "authshard-browser-email-"));
    const started = await Promise.allSettled([
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }).then((b) => (browser = b)),
      applyMigrations(persistTo).then(() => startWorker(persistTo)).then((w) => (worker = w)),
    ]);
    for (const result of started) if (result.status === "rejected") throw result.reason;
    base = await useServedUrlAsIssuer(worker!);
    expect(await seedDemo(adminClient({ url: base, token: ADMIN_TOKEN }), () => {})).toBe(true);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
    if (persistTo) rmSync(persistTo, { recursive: true, force: true });
  });

  function authorizeUrl(): string {
    const params = new URLSearchParams({ client_id: DEMO_APP.client_id, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid email", state: "st", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
    return `${base}/authorize?${params}`;
  }

  /** Login page → "Email me a code" → the newest message in the development mailbox, as a person reads it. */
  async function emailMeACode(page: Page, mailbox: Page): Promise<string> {
    await page.goto(authorizeUrl());
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await Promise.all([page.waitForURL(`${base}/email-login`), page.getByRole("button", { name: "Email me a code" }).click()]);
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    let text = "";
    for (let i = 0; i < 75; i++) {
      await mailbox.goto(`${base}/dev/mail`);
      const first = mailbox.locator("pre").first();
      if ((await first.count()) > 0) {
        text = (await first.textContent()) ?? "";
        if (!seen.has(text)) break;
      }
      await mailbox.waitForTimeout(200);
    }
    expect(seen.has(text)).toBe(false);
    seen.add(text);
    return text;
  }
  const seen = new Set<string>();

  /** Past the consent page to the redirect back to the app; returns the callback URL. */
  async function allowAndArrive(page: Page): Promise<URL> {
    await page.getByRole("heading", { name: `Allow ${DEMO_APP.client_name} to:` }).waitFor();
    const [arrived] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)), page.getByRole("button", { name: "Allow" }).click()]);
    return new URL(arrived.url());
  }

  it("signs in with the code from /dev/mail", async () => {
    const context = await browser!.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();
    const mailbox = await context.newPage();
    const text = await emailMeACode(page, mailbox);
    const code = /code is (\d{6})/.exec(text)![1]!;
    await page.screenshot({ path: join(ARTIFACTS, "email-code.png"), fullPage: true });
    await page.getByLabel("Code").fill(code);
    const [, callback] = await Promise.all([page.waitForURL(`${base}/email-code`), (async () => { await page.getByRole("button", { name: "Sign in" }).click(); return allowAndArrive(page); })()]);
    expect(callback.searchParams.get("code")).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("st");
    await context.close();
  });

  it("signs in with the magic link from /dev/mail, opened in the same browser", async () => {
    const context = await browser!.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();
    const mailbox = await context.newPage();
    const text = await emailMeACode(page, mailbox);
    const link = /(http:\/\/\S+\/email-link\?t=\S+)/.exec(text)![1]!;
    const linkPage = await context.newPage();
    // Consent was given in the test before: the link leads straight back to the app (nothing listens there).
    const [arrived] = await Promise.all([linkPage.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)), linkPage.goto(link).catch(() => null)]);
    const callback = new URL(arrived.url());
    expect(callback.searchParams.get("code")).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("st");
    await context.close();
  });
});
