import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP, DEMO_USER } from "../../cli/lib/seed.ts";
import { ARTIFACTS, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";

/**
 * Email sign-in in real headless Chromium, as `npm start` runs it: "Email me a code" on the
 * login page, the message read from the development mailbox (/dev/mail), then signing in
 * by typing the code, and (another time) by opening the magic link in the same browser.
 */

const REDIRECT_URI = "http://127.0.0.1:3000/callback";

describe.skipIf(skipWithoutChromium)("email code and magic link in headless Chromium", () => {
  let harness: PageHarness | undefined;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startPageHarness("email");
    ({ base, browser } = harness);
  });

  afterAll(async () => {
    await harness?.dispose();
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
