import { describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { call } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { DEVICE_GRANT, form as deviceForm, startDevice } from "../device/helpers";
import { approvalLinkFor, CIBA_GRANT, form as cibaForm, startCiba } from "../ciba/helpers";
import { accountForm, accountSignIn, awayFromStepBoundary, codeAt, userWithTotp } from "./helpers";

/**
 * MFA policy on the stand-alone approval pages: with the client's mfa_required (or
 * MFA_REQUIRED=on) the device page (RFC 8628 §3.3) and the CIBA approval page (CIBA Core §8)
 * ask for the second factor before Allow — after a password, or as a step-up of a
 * password-only session — and the shard refuses an approval from a session without it.
 */
const ALLOW = 'name="decision" value="allow"';

async function strictDeviceClient() {
  return registerClient("public", { grant_types: [DEVICE_GRANT, "refresh_token"], mfa_required: true });
}

/** Opens the device page with the code and submits it; returns the page that follows. */
async function deviceCodeEntered(browser: TestBrowser, userCode: string): Promise<string> {
  const codeForm = await (await browser.get(`/device?user_code=${encodeURIComponent(userCode)}`)).text();
  return (await browser.post("/device", { csrf: hiddenField(codeForm, "csrf"), user_code: userCode })).text();
}

/** A browser whose session was opened with the password before TOTP was switched on: password-only (acr 1). */
async function passwordSessionWithTotp(): Promise<{ browser: TestBrowser; secret: string }> {
  await awayFromStepBoundary();
  const browser = new TestBrowser();
  expect((await accountSignIn(browser, await createUser())).status).toBe(303);
  const started = await (await accountForm(browser, "start_totp")).text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)![1]!;
  expect((await accountForm(browser, "confirm_totp", { code: codeAt(secret, -1) })).status).toBe(200);
  return { browser, secret };
}

describe("second factor on the approval pages", () => {
  it("device page, client requires MFA: a TOTP user's password leads to the code form, then Allow; the device gets tokens (RFC 8628 §3.5)", async () => {
    const client = await strictDeviceClient();
    const { user, secret } = await userWithTotp();
    const started = await startDevice(client);
    const browser = new TestBrowser();
    const login = await deviceCodeEntered(browser, started.user_code);
    const afterPassword = await browser.post("/device", { csrf: hiddenField(login, "csrf"), user_code: hiddenField(login, "user_code"), step: "login", email: user.email, password: user.password });
    const codePage = await afterPassword.text();
    expect(codePage).toContain('name="step" value="second_factor"');
    expect(codePage).not.toContain(ALLOW);
    const fields = { csrf: hiddenField(codePage, "csrf"), user_code: hiddenField(codePage, "user_code"), step: "second_factor", pending: hiddenField(codePage, "pending") };
    const wrong = await browser.post("/device", { ...fields, code: codeAt(secret, 9) });
    expect(wrong.status).toBe(401);
    const approve = await browser.post("/device", { ...fields, code: codeAt(secret) });
    const approvePage = await approve.text();
    expect(approvePage).toContain(ALLOW);
    await browser.post("/device", { csrf: hiddenField(approvePage, "csrf"), user_code: hiddenField(approvePage, "user_code"), decision: "allow" });
    const tokens = await call("/token", deviceForm(client, { grant_type: DEVICE_GRANT, device_code: started.device_code }));
    expect(tokens.status).toBe(200);
  });

  it("device page: a password-only session is stepped up before Allow (same session, now MFA); Allow posted without the step changes nothing", async () => {
    const client = await strictDeviceClient();
    const { browser, secret } = await passwordSessionWithTotp();
    const started = await startDevice(client);
    const codeForm = await (await browser.get(`/device?user_code=${encodeURIComponent(started.user_code)}`)).text();
    const csrf = hiddenField(codeForm, "csrf");
    // Allow posted straight away, skipping the page: the shard refuses the password-only session; the device waits.
    await browser.post("/device", { csrf, user_code: started.user_code, decision: "allow" });
    const waiting = await call("/token", deviceForm(client, { grant_type: DEVICE_GRANT, device_code: started.device_code }));
    expect(((await waiting.json()) as { error: string }).error).toBe("authorization_pending");
    // Through the page: the code form names the live session (a step-up), then Allow.
    const codePage = await (await browser.post("/device", { csrf, user_code: started.user_code })).text();
    expect(codePage).toContain('name="step" value="second_factor"');
    const approvePage = await (await browser.post("/device", { csrf, user_code: hiddenField(codePage, "user_code"), step: "second_factor", pending: hiddenField(codePage, "pending"), code: codeAt(secret) })).text();
    expect(approvePage).toContain(ALLOW);
  });

  it("device page: a user without a second factor is sent to set one up (403)", async () => {
    const client = await strictDeviceClient();
    const browser = new TestBrowser();
    expect((await accountSignIn(browser, await createUser())).status).toBe(303);
    const started = await startDevice(client);
    const codeForm = await (await browser.get(`/device?user_code=${encodeURIComponent(started.user_code)}`)).text();
    const res = await browser.post("/device", { csrf: hiddenField(codeForm, "csrf"), user_code: started.user_code });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('id="enrol-first"');
  });

  it("CIBA page, client requires MFA: a TOTP user's password leads to the code form before Allow; the poll then gets tokens (CIBA Core §8, §10.1)", async () => {
    const registered = await registerClient("confidential", { grant_types: [CIBA_GRANT, "refresh_token"], backchannel_token_delivery_mode: "poll", mfa_required: true });
    const client = { clientId: registered.clientId, secret: registered.secret! };
    const { user, secret } = await userWithTotp();
    const started = await startCiba({ ...client, key: "", mode: "poll" }, { login_hint: user.email });
    const browser = new TestBrowser();
    const link = await approvalLinkFor(user.id);
    const login = await (await browser.get(link)).text();
    const afterPassword = await (await browser.post("/ciba", { csrf: hiddenField(login, "csrf"), request: hiddenField(login, "request"), step: "login", email: user.email, password: user.password })).text();
    expect(afterPassword).toContain('name="step" value="second_factor"');
    const approvePage = await (await browser.post("/ciba", { csrf: hiddenField(afterPassword, "csrf"), request: hiddenField(afterPassword, "request"), step: "second_factor", pending: hiddenField(afterPassword, "pending"), code: codeAt(secret) })).text();
    expect(approvePage).toContain(ALLOW);
    await browser.post("/ciba", { csrf: hiddenField(approvePage, "csrf"), request: hiddenField(approvePage, "request"), decision: "allow" });
    const tokens = await call("/token", cibaForm(client, { grant_type: CIBA_GRANT, auth_req_id: started.auth_req_id }));
    expect(tokens.status).toBe(200);
  });
});
