import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_USER } from "../../cli/lib/seed.ts";
import { ADMIN_TOKEN, ARTIFACTS, skipWithoutChromium, usePageHarness } from "./harness.ts";

/**
 * The CIBA approval page (OpenID CIBA Core 1.0 §8) in real headless Chromium, as `npm start`
 * runs it: a poll-mode client asks for the demo user, the person follows the approval link
 * from /dev/ciba, signs in, sees the binding message and allows; the client's poll gets tokens.
 */

const CIBA_GRANT = "urn:openid:params:grant-type:ciba";

describe.skipIf(skipWithoutChromium)("CIBA approval page in headless Chromium", () => {
  const harness = usePageHarness("ciba", { CIBA_SECRET: { type: "secret_text", value: "browser-test-ciba-secret-0123456789abcdef" } });

  it("sign in, see the binding message, approve; the client's poll then gets tokens", async () => {
    const { base, browser } = harness();
    const registered = await fetch(`${base}/admin/clients/desk`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Agent desk", client_type: "confidential", redirect_uris: ["http://127.0.0.1:3000/callback"], grant_types: [CIBA_GRANT], scope: "openid profile", backchannel_token_delivery_mode: "poll" }),
    });
    expect(registered.status).toBe(201);
    const { client_secret: secret } = (await registered.json()) as { client_secret: string };
    const auth = `Basic ${btoa(`desk:${secret}`)}`;
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${base}${path}`, { method: "POST", headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });

    const asked = await post("/bc-authorize", { scope: "openid profile", login_hint: DEMO_USER.email, binding_message: "Desk 7 · 4411" });
    expect(asked.status).toBe(200);
    const { auth_req_id } = (await asked.json()) as { auth_req_id: string };

    const context = await browser!.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${base}/dev/ciba`);
    await page.getByText("Desk 7 · 4411").waitFor();
    await Promise.all([page.waitForURL(/\/ciba\?request=/), page.getByRole("link", { name: "approve or deny" }).click()]);

    expect(await page.title()).toBe("Sign in");
    await page.getByText("Agent desk asks you to confirm a sign-in").waitFor();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await Promise.all([page.waitForURL(`${base}/ciba`), page.getByRole("button", { name: "Sign in" }).click()]);

    await page.getByRole("heading", { name: "Agent desk asks you to sign in and allow it to:" }).waitFor();
    expect(await page.locator("#binding-message").textContent()).toBe("Desk 7 · 4411");
    await page.getByText(`Signed in as ${DEMO_USER.email}`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "ciba-approve.png"), fullPage: true });
    await Promise.all([page.waitForURL(`${base}/ciba`), page.getByRole("button", { name: "Allow" }).click()]);
    await page.getByRole("heading", { name: "Sign-in confirmed" }).waitFor();
    await context.close();

    const tokens = await post("/token", { grant_type: CIBA_GRANT, auth_req_id });
    expect(tokens.status).toBe(200);
    expect(((await tokens.json()) as { id_token?: string }).id_token).toBeTruthy();
  });
});
