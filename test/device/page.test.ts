import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { createUser } from "../helpers/oidc";
import { deviceClient, pollError, startDevice, visitAndDecide, type DeviceClient } from "./helpers";

/** RFC 8628 §3.3 and §5.1: the verification page refuses wrong codes and forged forms with a page, never a 500. */
describe("the /device page", () => {
  let client: DeviceClient;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    client = await deviceClient("public");
    user = await createUser();
  });

  async function csrfOf(browser: TestBrowser): Promise<string> {
    return hiddenField(await (await browser.get("/device")).text(), "csrf");
  }

  it("§5.1: a wrong or malformed user code shows the form again with an error, after a delay", async () => {
    const browser = new TestBrowser();
    const csrf = await csrfOf(browser);
    for (const typed of ["BCDF-GHJK", "not a code", "AEIO-UAEI", "x".repeat(500)]) {
      const started = Date.now();
      const res = await browser.post("/device", { csrf, user_code: typed });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("That code is not valid");
      expect(html).toContain('name="user_code"');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    }
  });

  it("a form without this browser's CSRF cookie is refused", async () => {
    const auth = await startDevice(client);
    const csrf = await csrfOf(new TestBrowser());
    const res = await new TestBrowser().post("/device", { csrf, user_code: auth.user_code });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired or was opened in another browser");
  });

  it("a wrong password keeps the person on the sign-in form; the request stays pending", async () => {
    const auth = await startDevice(client);
    const browser = new TestBrowser();
    const csrf = await csrfOf(browser);
    const login = await (await browser.post("/device", { csrf, user_code: auth.user_code })).text();
    expect(login).toContain('name="step" value="login"');
    const wrong = await browser.post("/device", { csrf, user_code: auth.user_code, step: "login", email: user.email, password: "wrong password" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not correct");
    expect(await pollError(client, auth.device_code)).toBe("authorization_pending");
  });

  it("a code already decided cannot be decided again", async () => {
    const auth = await startDevice(client);
    const browser = new TestBrowser();
    await visitAndDecide(browser, auth, user, "deny");
    const csrf = await csrfOf(browser);
    const again = await browser.post("/device", { csrf, user_code: auth.user_code, decision: "allow" });
    expect(again.status).toBe(400);
    expect(await pollError(client, auth.device_code)).toBe("access_denied");
  });
});
