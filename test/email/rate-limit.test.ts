import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { TestBrowser } from "../helpers/browser";
import { createUser, registerClient } from "../helpers/oidc";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";
import { askForCode, codeIn, startAuthorize, waitForMail } from "./helpers";

/**
 * Guessing emailed codes (and asking for many) is limited per address with the credential
 * forms' limit (LIMIT_FORM_IP); a small limit stands for the configured 30 a minute.
 */
describe("email code guessing per address (LIMIT_FORM_IP)", () => {
  it("code entries beyond the limit are refused with 429", async () => {
    const workerEnv = limitedEnv({ LIMIT_FORM_IP: smallLimit((env as unknown as Env).LIMIT_FORM_IP, 3) });
    const { clientId } = await registerClient("public");
    const user = await createUser();
    const ip = freshIp();
    const browser = new TestBrowser((path, init) => callAs(workerEnv, ip, path, init));
    await roomInWindow(15_000);
    const started = await startAuthorize(clientId, browser);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    const wrong = code === "000000" ? "111111" : "000000";
    expect((await browser.post("/email-code", { interaction, code: wrong })).status).toBe(400);
    expect((await browser.post("/email-code", { interaction, code: wrong })).status).toBe(400);
    const refused = await browser.post("/email-code", { interaction, code });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
  });
});
