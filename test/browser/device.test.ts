import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_USER } from "../../cli/lib/seed.ts";
import { ADMIN_TOKEN, ARTIFACTS, skipWithoutChromium, usePageHarness } from "./harness.ts";

/**
 * The device verification page (RFC 8628 §3.3) in real headless Chromium, as `npm start` runs
 * it: a TV asks for a code, the person opens verification_uri, types the code (a wrong one
 * first), signs in, sees which client asks for what and allows; the TV's poll then gets tokens
 * once (§3.4, §3.5).
 */
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

describe.skipIf(skipWithoutChromium)("device verification page in headless Chromium", () => {
  const harness = usePageHarness("device");

  it("type the code, sign in, allow; the device's poll gets tokens exactly once", async () => {
    const { base, browser } = harness();
    const registered = await fetch(`${base}/admin/clients/living-room-tv`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ client_name: "Living room TV", client_type: "public", redirect_uris: ["http://127.0.0.1:3000/callback"], grant_types: [DEVICE_GRANT], scope: "openid profile" }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ client_id: "living-room-tv", ...fields }) });

    const asked = await form("/device_authorization", { scope: "openid profile" });
    expect(asked.status).toBe(200);
    const { device_code, user_code, verification_uri } = (await asked.json()) as { device_code: string; user_code: string; verification_uri: string };
    const poll = () => form("/token", { grant_type: DEVICE_GRANT, device_code });
    expect(((await (await poll()).json()) as { error: string }).error).toBe("authorization_pending");

    const context = await browser.newContext({ viewport: { width: 800, height: 720 } });
    const page = await context.newPage();
    await page.goto(verification_uri);
    expect(await page.title()).toBe("Connect a device");
    // A wrong code is a page that says so (and costs time), never an error of the server.
    await page.getByLabel("Code").fill("BCDF-GHJK");
    await Promise.all([page.waitForURL(`${base}/device`), page.getByRole("button", { name: "Continue" }).click()]);
    await page.getByText("That code is not valid").waitFor();

    await page.getByLabel("Code").fill(user_code);
    await Promise.all([page.waitForURL(`${base}/device`), page.getByRole("button", { name: "Continue" }).click()]);
    expect(await page.title()).toBe("Sign in");
    await page.getByText("to connect Living room TV").waitFor();
    await page.getByLabel("Email").fill(DEMO_USER.email);
    await page.getByLabel("Password").fill(DEMO_USER.password);
    await Promise.all([page.waitForURL(`${base}/device`), page.getByRole("button", { name: "Sign in" }).click()]);

    await page.getByRole("heading", { name: "Allow Living room TV on your device to:" }).waitFor();
    await page.getByText(`signed in as ${DEMO_USER.email}`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "device-approve.png"), fullPage: true });
    await Promise.all([page.waitForURL(`${base}/device`), page.getByRole("button", { name: "Allow" }).click()]);
    await page.getByRole("heading", { name: "Device connected" }).waitFor();
    await context.close();

    const tokens = await poll();
    expect(tokens.status, await tokens.clone().text()).toBe(200);
    expect(((await tokens.json()) as { id_token?: string }).id_token).toBeTruthy();
    // §3.5 / RFC 6749 §10.5: the device code is redeemed once.
    const again = await poll();
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });
});
