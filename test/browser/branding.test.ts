import { join } from "node:path";
import { deflateSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP, DEMO_USER } from "../../cli/lib/seed.ts";
import { ADMIN_TOKEN, ARTIFACTS, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";

/**
 * A Japanese sign-in end to end in headless Chromium (OIDC Core §3.1.2.1 ui_locales=ja):
 * the demo app is given a logo (uploaded through the operator API into R2) and a colour;
 * the login and consent pages show them in Japanese under the strict page CSP (the logo
 * loads from the provider's own origin, nothing is refused), and the app gets its code.
 * Screenshots land in test/artifacts/branding-*.png.
 */

const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const PRIMARY = "#c2410c";

/** What the page script sees of an <img> and of computed styles (test/browser has no DOM lib). */
type LoadedImage = { complete: boolean; naturalWidth: number };
const backgroundOf = (element: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor;

/** A 160×48 PNG: an orange bar on white (stored, not compressed by hand: zlib does it). */
function logoPng(): Uint8Array {
  const width = 160;
  const height = 48;
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push(...(y > 12 && y < 36 && x > 8 && x < 152 ? [0xc2, 0x41, 0x0c] : [0xff, 0xff, 0xff]));
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(Uint8Array.from(rows))), chunk("IEND", new Uint8Array(0))];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    png.set(p, at);
    at += p.length;
  }
  return png;
}

describe.skipIf(skipWithoutChromium)("a branded Japanese sign-in in headless Chromium", () => {
  let harness: PageHarness | undefined;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startPageHarness("branding");
    ({ base, browser } = harness);
    const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const uploaded = await fetch(`${base}/admin/branding/logos`, { method: "POST", headers: { ...auth, "Content-Type": "image/png" }, body: logoPng() });
    expect(uploaded.status).toBe(201);
    const { logo } = (await uploaded.json()) as { logo: string };
    const branded = await fetch(`${base}/admin/clients/${DEMO_APP.client_id}/branding`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ display_name: "Demo Corp", logo, primary_color: PRIMARY, text: { en: "Demo Corp staff only.", ja: "Demo Corp の社員専用です。" }, policy_uri: "https://demo.example/privacy" }),
    });
    expect(branded.status).toBe(200);
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it("signs in with ui_locales=ja: Japanese pages with the app's logo and colour, no CSP violation, the code at the app", async () => {
    const context = await browser.newContext({ viewport: { width: 800, height: 760 }, locale: "en-US" });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    const params = new URLSearchParams({
      client_id: DEMO_APP.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "openid email",
      state: "st",
      ui_locales: "ja",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    });
    await page.goto(`${base}/authorize?${params}`);

    await page.getByRole("heading", { name: "サインイン" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    const logo = page.locator("#brand-logo");
    await expect.poll(() => logo.evaluate((img) => (img as unknown as LoadedImage).complete && (img as unknown as LoadedImage).naturalWidth)).toBe(160);
    expect(await page.getByRole("button", { name: "サインイン" }).evaluate(backgroundOf)).toBe("rgb(194, 65, 12)");
    expect(await page.locator("#brand-text").textContent()).toBe("Demo Corp の社員専用です。");
    await page.screenshot({ path: join(ARTIFACTS, "branding-login-ja.png"), fullPage: true });

    await page.getByLabel("メールアドレス").fill(DEMO_USER.email);
    await page.getByLabel("パスワード").fill(DEMO_USER.password);
    await page.getByRole("button", { name: "サインイン" }).click();

    await page.getByRole("heading", { name: `${DEMO_APP.client_name} に次のことを許可しますか：` }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    expect(await page.getByRole("link", { name: "プライバシーポリシー" }).getAttribute("href")).toBe("https://demo.example/privacy");
    await expect.poll(() => page.locator("#brand-logo").evaluate((img) => (img as unknown as LoadedImage).naturalWidth)).toBe(160);
    await page.screenshot({ path: join(ARTIFACTS, "branding-consent-ja.png"), fullPage: true });

    const [arrived] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)), page.getByRole("button", { name: "許可" }).click()]);
    const callback = new URL(arrived.url());
    expect(callback.searchParams.get("code")).toMatch(/^c\.\d+\./);
    expect(callback.searchParams.get("state")).toBe("st");
    expect(refused).toEqual([]);
    await context.close();
  });
});
