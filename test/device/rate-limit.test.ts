import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";
import { deviceClient, pollError, startDevice } from "./helpers";

/**
 * RFC 8628 §5.1: user codes are short, so guessing them is limited per address with
 * the code-entry forms' limit (LIMIT_FORM_IP); a small limit here stands for the
 * configured 30 a minute, so the test does not pay 30 wrong-code delays.
 */
describe("guessing user codes at /device (LIMIT_FORM_IP)", () => {
  it("code entries from one address beyond the limit are refused with 429; the real code then still works elsewhere", async () => {
    const workerEnv = limitedEnv({ LIMIT_FORM_IP: smallLimit((env as unknown as Env).LIMIT_FORM_IP, 3) });
    const client = await deviceClient("public");
    const auth = await startDevice(client);
    const guesserIp = freshIp();
    const guesser = new TestBrowser((path, init) => callAs(workerEnv, guesserIp, path, init));
    await roomInWindow(15_000);
    const csrf = hiddenField(await (await guesser.get("/device")).text(), "csrf");
    for (const guess of ["BCDF-GHJK", "BCDF-GHJL", "BCDF-GHJM"]) {
      expect((await guesser.post("/device", { csrf, user_code: guess })).status).toBe(400);
    }
    const refused = await guesser.post("/device", { csrf, user_code: auth.user_code });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");

    const personIp = freshIp();
    const person = new TestBrowser((path, init) => callAs(workerEnv, personIp, path, init));
    const own = hiddenField(await (await person.get("/device")).text(), "csrf");
    const page = await person.post("/device", { csrf: own, user_code: auth.user_code });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="step" value="login"');
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
  });
});
