import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APP } from "../../cli/lib/seed.ts";
import { startWorker, type RunningWorker } from "../federation/workers.ts";
import { ARTIFACTS, skipWithoutChromium, startPageHarness, type PageHarness } from "./harness.ts";

/**
 * Sign in with an upstream provider in real headless Chromium: the login page's button, the
 * upstream's own login and consent pages (a second authshard under wrangler), back to the
 * downstream's consent page and on to the app — the CSP's form-action letting the button's
 * form end at the upstream, the SameSite=Lax binding cookie coming back on the redirect.
 */
const REDIRECT_URI = "http://127.0.0.1:3000/callback";
const SECRET = "downstream-secret-0123456789";

describe.skipIf(skipWithoutChromium)("federation in headless Chromium", () => {
  let harness: PageHarness | undefined;
  let up: RunningWorker | undefined;

  beforeAll(async () => {
    [harness, up] = await Promise.all([startPageHarness("federation"), startWorker("browser-up")]);
    const client = await up.admin.request("PUT", "/admin/clients/downstream", {
      client_name: "Downstream shop", client_type: "confidential", client_secret: SECRET,
      redirect_uris: [`${harness.base}/federation-callback`], grant_types: ["authorization_code"], scope: "openid email profile",
    });
    expect([200, 201]).toContain(client.status);
    const res = await fetch(`${harness.base}/admin/upstreams/local`, {
      method: "PUT",
      headers: { authorization: "Bearer browser-test-admin-token-0123456789", "content-type": "application/json" },
      body: JSON.stringify({ preset: "oidc", issuer: up.base, client_id: "downstream", client_secret: SECRET, display_name: "Local upstream" }),
    });
    expect(res.status).toBe(201);
    await up.admin.request("POST", "/admin/users", { email: "pat@upstream.test", password: "pat-password", name: "Pat Upstream", email_verified: true });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([harness?.dispose(), up?.dispose()]);
  });

  async function allow(page: Page, heading: string) {
    await page.getByRole("heading", { name: heading }).waitFor();
    await page.getByRole("button", { name: "Allow" }).click();
  }

  it("the login page's button signs a new person in through the upstream and back to the app", async () => {
    const context = await harness!.browser.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();
    await page.route(`${REDIRECT_URI}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<p>app</p>" }));
    const params = new URLSearchParams({ client_id: DEMO_APP.client_id, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid email", state: "st", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
    await page.goto(`${harness!.base}/authorize?${params}`);
    await page.screenshot({ path: join(ARTIFACTS, "federation-login.png"), fullPage: true });
    await page.getByRole("button", { name: "Sign in with Local upstream" }).click();
    await page.waitForURL(`${up!.base}/**`);
    await page.getByLabel("Email").fill("pat@upstream.test");
    await page.getByLabel("Password").fill("pat-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await allow(page, "Allow Downstream shop to:");
    await allow(page, `Allow ${DEMO_APP.client_name} to:`);
    await page.waitForURL(`${REDIRECT_URI}?**`);
    const arrived = new URL(page.url());
    expect(arrived.searchParams.get("code")).toMatch(/^c\./);
    expect(arrived.searchParams.get("state")).toBe("st");
    await context.close();
  });
});
