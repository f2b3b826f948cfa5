import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP, DEMO_USER } from "../../cli/lib/seed.ts";
import { ADMIN_TOKEN, ARTIFACTS, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";

/**
 * The admin console in headless Chromium: the demo user (an admin, as `npm start` seeds it)
 * signs in to /admin through the provider's own login page, creates a client, disables a
 * user whose next refresh_token grant then fails (RFC 6749 §5.2 invalid_grant), rotates the
 * signing keys and starts a two-bucket move it watches finish.
 */
const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const b64url = (bytes: Buffer) => bytes.toString("base64url");

describe.skipIf(skipWithoutChromium)("admin console in headless Chromium", () => {
  let harness: PageHarness | undefined;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startPageHarness("console");
    ({ base, browser } = harness);
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/admin${path}`, { method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "Content-Type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  /** A user signed in to the demo web app with a refresh token, through the pages (code + PKCE). */
  async function userWithRefreshToken(email: string, password: string): Promise<string> {
    const verifier = b64url(randomBytes(32));
    const authorize = new URL(`${base}/authorize`);
    authorize.search = new URLSearchParams({
      client_id: DEMO_APP.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: "openid email offline_access",
      prompt: "consent",
      state: "s",
      code_challenge: b64url(createHash("sha256").update(verifier).digest()),
      code_challenge_method: "S256",
    }).toString();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorize.href);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const [arrived] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(`${REDIRECT_URI}?`)), page.getByRole("button", { name: "Allow" }).click()]);
    await context.close();
    const code = new URL(arrived.url()).searchParams.get("code")!;
    const tokens = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(tokens.status).toBe(200);
    return ((await tokens.json()) as { refresh_token: string }).refresh_token;
  }

  const tokenRequest = (fields: Record<string, string>) =>
    fetch(`${base}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${btoa(`${DEMO_APP.client_id}:${DEMO_APP.client_secret}`)}` },
      body: new URLSearchParams(fields),
    });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });

  it("an operator signs in, creates a client, disables a user, rotates a key and watches a two-bucket move finish", async () => {
    const victim = { email: `victim-${Date.now()}@example.com`, password: "a password to lose" };
    expect((await api("POST", "/users", victim)).status).toBe(201);
    const refreshToken = await userWithRefreshToken(victim.email, victim.password);

    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    // Sign in through the provider's own login page, then allow the console once.
    await page.goto(`${base}/admin`);
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${base}/admin`);
    expect(await page.locator("#operator").textContent()).toBe(DEMO_USER.email);
    await shot(page, "console-dashboard.png");

    // Create a client: the generated secret is shown once.
    await page.getByRole("link", { name: "Clients" }).click();
    await page.getByLabel("client_id").fill("console-made");
    await page.getByLabel("Name").fill("Made in the console");
    await page.getByLabel("Redirect URIs (one per line)").fill("https://rp.example.com/cb");
    await page.getByRole("button", { name: "Create" }).click();
    await page.locator("#client-secret").waitFor();
    expect((await api("GET", "/clients/console-made")).status).toBe(200);

    // Disable the victim: its next refresh fails.
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Find a user by email").fill(victim.email);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByRole("button", { name: "Disable user" }).click();
    expect(await page.locator("#user-status").textContent()).toBe("disabled");
    const refused = await tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe("invalid_grant");

    // Rotate the signing keys.
    const activeBefore = ((await (await api("GET", "/keys")).json()) as { keys: { kid: string; state: string }[] }).keys.filter((k) => k.state === "active").map((k) => k.kid);
    await page.getByRole("link", { name: "Signing keys" }).click();
    await page.getByRole("button", { name: "Rotate now" }).click();
    await page.getByText("Rotated: the active keys are now").waitFor();
    const activeAfter = ((await (await api("GET", "/keys")).json()) as { keys: { kid: string; state: string }[] }).keys.filter((k) => k.state === "active").map((k) => k.kid);
    expect(activeAfter).not.toEqual(activeBefore);

    // Move two buckets to another shard and watch the page (it reloads itself) until none is in flight.
    const map = (await (await api("GET", "/shards")).json()) as { shards: { name: string }[] };
    // In the first map of four shards, neither of the last two buckets is on the first shard.
    const target = map.shards[0]!.name;
    await page.getByRole("link", { name: "Shards" }).click();
    await page.getByLabel("Buckets (comma-separated, at most 16)").fill("4090,4091");
    await page.getByLabel("To shard").selectOption(target);
    await page.getByRole("button", { name: "Start the move" }).click();
    await page.getByText("Started 2 move(s): buckets 4090, 4091.").waitFor();
    await page.locator("#no-moves").waitFor({ timeout: 60_000 });
    await shot(page, "console-shards.png");
    const moves = (await (await api("GET", "/shards/moves?limit=10")).json()) as { moves: { bucket: number; step: string; to: string }[] };
    for (const bucket of [4090, 4091]) {
      expect(moves.moves.find((m) => m.bucket === bucket)).toMatchObject({ step: "done", to: target });
    }
    await context.close();
  });
});
