import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { authorizeUrl, registerClient } from "../helpers/oidc";
import { ACR_MFA, authorizeParams, codeAt, idTokenClaims, passwordStep, submitCode, throughConsent, userWithTotp } from "./helpers";

/**
 * Sign-in with a second factor: the password alone opens no session, the code page does
 * (RFC 6238 §5.2 for what a verifier accepts; RFC 8176 §2 and OIDC Core §2 for what the
 * ID token then says).
 */
describe("sign-in with TOTP", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("asks for the code after the password, and the ID token carries acr and amr of both factors (RFC 8176 §2)", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    const { params, verifier, nonce } = await authorizeParams(clientId);
    const codePage = await passwordStep(browser, params, user);
    expect(codePage.status).toBe(200);
    const html = await codePage.text();
    expect(html).toContain('action="/second-factor"');

    // The password step opened no session: /authorize still shows the login form.
    const again = await (await browser.get(authorizeUrl(params))).text();
    expect(again).toContain('action="login"');

    const callback = await throughConsent(browser, await submitCode(browser, html, codeAt(secret)));
    const { claims } = await idTokenClaims(clientId, callback, verifier, nonce);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
  });

  it("accepts a code one step early or late and refuses two steps away (RFC 6238 §5.2)", async () => {
    const { user, secret } = await userWithTotp();
    for (const offset of [-2, 2]) {
      const browser = new TestBrowser();
      const page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
      const refused = await submitCode(browser, page, codeAt(secret, offset));
      expect(refused.status, `offset ${offset}`).toBe(401);
      expect(await refused.text()).toContain("That code is not correct");
    }
    // Enrolment used step -1: step 0 and then step +1 are both still unused, and both work.
    for (const offset of [0, 1]) {
      const browser = new TestBrowser();
      const page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
      const accepted = await submitCode(browser, page, codeAt(secret, offset));
      expect([200, 302], `offset ${offset}`).toContain(accepted.status);
    }
  });

  it("a code is single use: of two racing submissions of one code, exactly one signs in (RFC 6238 §5.2)", async () => {
    const { user, secret } = await userWithTotp();
    const a = new TestBrowser();
    const b = new TestBrowser();
    const pageA = await (await passwordStep(a, (await authorizeParams(clientId)).params, user)).text();
    const pageB = await (await passwordStep(b, (await authorizeParams(clientId)).params, user)).text();
    const code = codeAt(secret);
    const results = await Promise.all([submitCode(a, pageA, code), submitCode(b, pageB, code)]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200 || s === 302)).toHaveLength(1);
    // And an older step is no good either once a newer one was used.
    const c = new TestBrowser();
    const pageC = await (await passwordStep(c, (await authorizeParams(clientId)).params, user)).text();
    expect((await submitCode(c, pageC, codeAt(secret, -1))).status).toBe(401);
  });

  it("a recovery code works in place of a code, once", async () => {
    const { user, recoveryCodes } = await userWithTotp();
    const recovery = recoveryCodes[3]!;
    const first = new TestBrowser();
    const page = await (await passwordStep(first, (await authorizeParams(clientId)).params, user)).text();
    expect([200, 302]).toContain((await submitCode(first, page, recovery.toUpperCase())).status);
    const second = new TestBrowser();
    const page2 = await (await passwordStep(second, (await authorizeParams(clientId)).params, user)).text();
    expect((await submitCode(second, page2, recovery)).status).toBe(401);
  });

  it("the 5th wrong code slows the account down: then even the right code waits (429 with Retry-After)", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    let page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
    const wrong = codeAt(secret, 5);
    for (let i = 1; i <= 5; i++) {
      const res = await submitCode(browser, page, wrong);
      page = await res.text();
      expect(res.status, `wrong code ${i}`).toBe(i < 5 ? 401 : 429);
    }
    const right = await submitCode(browser, page, codeAt(secret));
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await right.text()).toContain("Too many failed attempts");
  });

  it("bad input is a 4xx page, never a 500", async () => {
    const { user } = await userWithTotp();
    const browser = new TestBrowser();
    const page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
    expect((await submitCode(browser, page, "x".repeat(100))).status).toBe(401);
    expect((await submitCode(browser, page, "x".repeat(5000))).status).toBe(400);
    expect((await submitCode(browser, page, "")).status).toBe(401);
    expect((await browser.post("/second-factor", { pending: "not-a-token", code: "123456" })).status).toBe(400);
    expect((await browser.post("/second-factor", { code: "123456" })).status).toBe(400);
    // Another browser (no CSRF cookie) cannot use the form.
    expect((await submitCode(new TestBrowser(), page, "123456")).status).toBe(400);
  });
});
