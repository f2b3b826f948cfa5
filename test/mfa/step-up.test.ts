import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { admin, json, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, registerClient } from "../helpers/oidc";
import { ACR_MFA, authorizeParams, codeAt, idTokenClaims, passwordStep, submitCode, throughConsent, userWithTotp } from "./helpers";

/**
 * MFA policy and step-up: acr_values (OIDC Core §3.1.2.1), an essential acr claim
 * (§5.5.1.1) or the client's mfa_required make a password-only session ask for the
 * second factor; nobody can be asked with prompt=none (unmet_authentication_requirements).
 */
describe("step-up and MFA policy", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  /** A TOTP user signed in with the password only: their session predates enrolment. */
  async function passwordSession() {
    const user = await createUser();
    const browser = new TestBrowser();
    const first = await authorizeParams(clientId);
    await throughConsent(browser, await passwordStep(browser, first.params, user));
    return { user, browser };
  }

  it("a session opened with both factors meets acr_values for the MFA class without asking again", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    // Signed in with both factors once, then a password-only request works from the session ...
    const plain = await authorizeParams(clientId);
    const page = await (await passwordStep(browser, plain.params, user)).text();
    await throughConsent(browser, await submitCode(browser, page, codeAt(secret)));
    const stepUp = await authorizeParams(clientId, { acr_values: ACR_MFA });
    const again = await browser.get(authorizeUrl(stepUp.params));
    // ... and the MFA session already satisfies acr_values: no code asked again.
    const { claims } = await idTokenClaims(clientId, redirectParams(again), stepUp.verifier, stepUp.nonce);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
  });

  it("acr_values for the MFA class steps a password-only session up: the code page, then acr urn:authshard:acr:mfa and amr pwd otp mfa (RFC 8176 §2)", async () => {
    const { browser, user } = await passwordSession();
    const secret = await enrolWith(browser);
    const stepUp = await authorizeParams(clientId, { acr_values: ACR_MFA });
    const res = await browser.get(authorizeUrl(stepUp.params));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('action="/second-factor"');
    const done = await submitCode(browser, page, codeAt(secret));
    const { claims } = await idTokenClaims(clientId, redirectParams(done), stepUp.verifier, stepUp.nonce);
    expect(claims.sub).toBe(user.id);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
  });

  it("an essential acr claim for the MFA class asks for the code too (OIDC Core §5.5.1.1)", async () => {
    const { browser } = await passwordSession();
    await enrolWith(browser);
    const claimsParam = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } });
    const res = await browser.get(authorizeUrl((await authorizeParams(clientId, { claims: claimsParam })).params));
    expect(await res.text()).toContain('action="/second-factor"');
  });

  it("prompt=none with an acr the session does not meet → unmet_authentication_requirements, nothing issued", async () => {
    const { browser } = await passwordSession();
    await enrolWith(browser);
    const res = await browser.get(authorizeUrl((await authorizeParams(clientId, { acr_values: ACR_MFA, prompt: "none" })).params));
    const params = redirectParams(res);
    expect(params.get("error")).toBe("unmet_authentication_requirements");
    expect(params.get("code")).toBeNull();
  });

  it("a user without TOTP who must use it is sent to enrol (403 page linking to /account)", async () => {
    const { browser } = await passwordSession();
    const res = await browser.get(authorizeUrl((await authorizeParams(clientId, { acr_values: ACR_MFA })).params));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('href="/account"');
  });

  it("a client with mfa_required forces the second factor after the password", async () => {
    const strict = (await registerClient("public", { mfa_required: true })).clientId;
    // The operator API shows the setting back.
    expect(await json(await admin("GET", `/clients/${strict}`))).toMatchObject({ client: { mfa_required: true } });
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    // Even a session that is password-only ...
    const plainUser = await createUser();
    const plain = await authorizeParams(strict);
    const enrolPage = await passwordStep(new TestBrowser(), plain.params, plainUser);
    expect(enrolPage.status).toBe(403);
    // ... and the TOTP user gets the code page, and then the MFA acr.
    const req = await authorizeParams(strict);
    const page = await (await passwordStep(browser, req.params, user)).text();
    const { claims } = await idTokenClaims(strict, await throughConsent(browser, await submitCode(browser, page, codeAt(secret))), req.verifier, req.nonce);
    expect(claims.acr).toBe(ACR_MFA);
  });

  it("/authorize with a session that already meets acr_values is one actor call and no D1 statement (DESIGN.md budget)", async () => {
    const { user, secret } = await userWithTotp();
    const browser = new TestBrowser();
    const page = await (await passwordStep(browser, (await authorizeParams(clientId)).params, user)).text();
    await throughConsent(browser, await submitCode(browser, page, codeAt(secret)));
    const url = authorizeUrl((await authorizeParams(clientId, { acr_values: ACR_MFA })).params);
    await browser.get(url); // warms the client cache of this isolate
    const points: AnalyticsEngineDataPoint[] = [];
    const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await app.fetch(new Request(new URL(authorizeUrl((await authorizeParams(clientId, { acr_values: ACR_MFA })).params), ORIGIN), { headers: { cookie }, redirect: "manual" }), workerEnv, createExecutionContext());
    expect(res.status).toBe(302);
    expect(redirectParams(res).get("code")).toBeTruthy();
    expect(points).toHaveLength(1);
    expect(points[0]!.doubles!.slice(2)).toEqual([1, 0, 0]); // actor calls, D1 statements, shard retries
  });

  /** Enrols TOTP on the account page in this browser (its session); returns the secret. */
  async function enrolWith(browser: TestBrowser): Promise<string> {
    const form = async (action: string, fields: Record<string, string> = {}) => {
      const html = await (await browser.get("/account")).text();
      return browser.post("/account", { csrf: hiddenField(html, "csrf"), action, ...fields });
    };
    const started = await (await form("start_totp")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)![1]!;
    expect((await form("confirm_totp", { code: codeAt(secret, -1) })).status).toBe(200);
    return secret;
  }
});
