import { describe, expect, it } from "vitest";
import { parseConfig, ConfigError } from "../../src/config";
import { hiddenField } from "../helpers/browser";
import { admin, ORIGIN } from "../helpers/http";
import { accountForm, awayFromStepBoundary, codeAt, submitCode, userWithTotp } from "../mfa/helpers";
import { consoleSignIn, operatorUser } from "./helpers";

/** The console asks operators with a second factor for it (OIDC Core §3.1.2.1 acr_values, the MFA class). */
describe("console sign-in with a second factor", () => {
  it("an operator with TOTP reaches the console only after the code, in a session of the MFA class", async () => {
    const { user, secret } = await userWithTotp();
    expect((await admin("POST", "/operators", { email: user.email, role: "viewer" })).status).toBe(201);
    const first = await consoleSignIn(user);
    const { browser } = first;
    let html = await first.res.text();
    expect(first.res.status).toBe(200);
    expect(html).toContain('name="pending"');
    expect(html).not.toContain('id="operator"');
    expect([...browser.cookies.keys()]).not.toContain("authshard_console"); // no console session without the code
    let res = await submitCode(browser, html, codeAt(secret));
    for (let hop = 0; hop < 6; hop++) {
      if (res.status >= 300 && res.status < 400) res = await browser.get(new URL(res.headers.get("location")!, ORIGIN).toString());
      else if (res.status === 200 && (html = await res.text()).includes('action="consent"')) res = await browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
      else break;
    }
    expect(res.status).toBe(200);
    expect(html).toContain(`id="operator">${user.email}`);
    const { sessions } = (await (await admin("GET", `/users/${user.id}/sessions`)).json()) as { sessions: { acr: string; state: string }[] };
    expect(sessions.filter((s) => s.state === "active").map((s) => s.acr)).toContain("urn:authshard:acr:mfa");
  });

  it("an operator who turns TOTP on after signing in is stepped up: /admin asks /authorize for the MFA class", async () => {
    await awayFromStepBoundary();
    const op = await operatorUser("viewer");
    const { browser, res } = await consoleSignIn(op);
    expect(res.status).toBe(200);
    const started = await (await accountForm(browser, "start_totp")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)![1]!;
    expect((await accountForm(browser, "confirm_totp", { code: codeAt(secret, -1) })).status).toBe(200);
    const stepUp = await browser.get("/admin");
    expect(stepUp.status).toBe(302);
    const to = new URL(stepUp.headers.get("location")!);
    expect(to.pathname).toBe("/authorize");
    expect(to.searchParams.get("acr_values")).toBe("urn:authshard:acr:mfa");
  });

  it("CONSOLE_MFA is auto or required; anything else stops startup", () => {
    expect(parseConfig({ ISSUER: "https://id.example.com" }).console).toEqual({ mfa: "auto", sessionTtlS: 900 });
    expect(parseConfig({ ISSUER: "https://id.example.com", CONSOLE_MFA: "required" }).console.mfa).toBe("required");
    expect(() => parseConfig({ ISSUER: "https://id.example.com", CONSOLE_MFA: "sometimes" })).toThrow(ConfigError);
    expect(() => parseConfig({ ISSUER: "https://id.example.com", CONSOLE_SESSION_TTL_S: "5" })).toThrow(ConfigError);
  });
});
