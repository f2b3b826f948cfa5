import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { ACR_MFA, accountForm, accountSignIn, authorizeParams, codeAt, passwordStep, submitCode, throughConsent, userWithTotp } from "./helpers";

/** The account page: sessions, consents and the second factor of the signed-in person. */
describe("account page", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("without a session it is the sign-in form, and signing in comes back to /account", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const page = await (await browser.get("/account")).text();
    expect(page).toContain('name="password"');
    const signedIn = await accountSignIn(browser, user);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe("/account");
    expect(await (await browser.get("/account")).text()).toContain(`Signed in as ${user.email}`);
  });

  it("an account with TOTP signs in to the account page with the code too", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    const codeForm = await (await accountSignIn(browser, user)).text();
    expect(codeForm).toContain('name="pending"');
    expect(await (await browser.get("/account")).text()).toContain('name="password"'); // no session yet
    const page = await (await browser.get("/account")).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const pending = /name="pending" value="([^"]+)"/.exec(codeForm)![1]!;
    const done = await browser.post("/account", { csrf, action: "second_factor", pending, code: codeAt(secret) });
    expect(done.status).toBe(303);
    expect(await (await browser.get("/account")).text()).toContain("pwd, otp, mfa");
  });

  it("signs out the other sessions and withdraws a consent", async () => {
    const user = await createUser();
    const elsewhere = new TestBrowser();
    await throughConsent(elsewhere, await passwordStep(elsewhere, (await authorizeParams(clientId)).params, user));
    const browser = new TestBrowser();
    await accountSignIn(browser, user);
    const page = await (await browser.get("/account")).text();
    expect(page).toContain(clientId);
    expect((await accountForm(browser, "end_other_sessions")).status).toBe(200);
    // The other browser's session has ended: /authorize asks it to sign in again.
    const again = await elsewhere.get(`/authorize?${new URLSearchParams((await authorizeParams(clientId)).params)}`);
    expect(await again.text()).toContain('action="login"');
    const withdrawn = await (await accountForm(browser, "withdraw_consent", { client_id: clientId })).text();
    expect(withdrawn).toContain("Access withdrawn.");
    expect(withdrawn).not.toContain(`${clientId}:`);
  });

  it("new recovery codes and turning TOTP off each need a current code; new recovery codes replace the old ones", async () => {
    const { user, secret, recoveryCodes } = await userWithTotp();
    const browser = new TestBrowser();
    const codeForm = await (await accountSignIn(browser, user)).text();
    const page = await (await browser.get("/account")).text();
    await browser.post("/account", { csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!, action: "second_factor", pending: /name="pending" value="([^"]+)"/.exec(codeForm)![1]!, code: codeAt(secret) });

    expect((await accountForm(browser, "regenerate_recovery_codes", { code: "" })).status).toBe(400);
    const regenerated = await (await accountForm(browser, "regenerate_recovery_codes", { code: recoveryCodes[9]! })).text();
    const fresh = [...regenerated.matchAll(/<code>([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    // An old recovery code no longer signs in.
    const other = new TestBrowser();
    const codePage = await (await passwordStep(other, (await authorizeParams(clientId)).params, user)).text();
    expect((await submitCode(other, codePage, recoveryCodes[0]!)).status).toBe(401);

    expect((await accountForm(browser, "disable_totp", { code: "000000" === codeAt(secret, 1) ? "111111" : "000000" })).status).toBe(401);
    const off = await accountForm(browser, "disable_totp", { code: codeAt(secret, 1) });
    expect(off.status).toBe(200);
    expect(await off.text()).toContain("Two-factor sign-in is off.");
    // Signing in is the password alone again.
    const plain = new TestBrowser();
    const callback = await throughConsent(plain, await passwordStep(plain, (await authorizeParams(clientId)).params, user));
    expect(callback.get("code")).toBeTruthy();
  });

  it("bad input is a 4xx, never a 500", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    await accountSignIn(browser, user);
    expect((await accountForm(browser, "no_such_action")).status).toBe(400);
    expect((await accountForm(browser, "withdraw_consent", { client_id: "" })).status).toBe(400);
    expect((await accountForm(browser, "confirm_totp", { code: "123456" })).status).toBe(400);
    expect((await accountForm(browser, "disable_totp", { code: "123456" })).status).toBe(400);
    expect((await accountForm(browser, "second_factor", { pending: "garbage", code: "1" })).status).toBe(400);
  });

  it("a code entered after TOTP was switched off elsewhere asks to sign in again (401), not a 500", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    const codeForm = await (await accountSignIn(browser, user)).text();
    // Meanwhile, TOTP is switched off in another browser that has both factors.
    const other = new TestBrowser();
    const otherForm = await (await accountSignIn(other, user)).text();
    const otherPage = await (await other.get("/account")).text();
    await other.post("/account", { csrf: /name="csrf" value="([^"]+)"/.exec(otherPage)![1]!, action: "second_factor", pending: /name="pending" value="([^"]+)"/.exec(otherForm)![1]!, code: codeAt(secret) });
    expect((await accountForm(other, "disable_totp", { code: codeAt(secret, 1) })).status).toBe(200);
    const page = await (await browser.get("/account")).text();
    const res = await browser.post("/account", { csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!, action: "second_factor", pending: /name="pending" value="([^"]+)"/.exec(codeForm)![1]!, code: codeAt(secret, -1) });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("Sign in again");
  });

  it("discovery lists both acr values (OIDC Discovery §3 acr_values_supported)", async () => {
    const meta = await json<{ acr_values_supported: string[] }>(await call("/.well-known/openid-configuration"));
    expect(meta.acr_values_supported).toEqual(["1", ACR_MFA]);
  });
});
