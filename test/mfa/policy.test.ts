import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { redirectParams, TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, registerClient } from "../helpers/oidc";
import { ACR_MFA, accountForm, authorizeParams, awayFromStepBoundary, codeAt, idTokenClaims, passwordStep, submitCode, throughConsent } from "./helpers";

/** MFA_REQUIRED=on: the provider-wide policy (README "Two-factor sign-in (TOTP)"), whatever the client asks. */
describe("MFA_REQUIRED=on", () => {
  const strictEnv = { ...(env as unknown as Env), MFA_REQUIRED: "on" };
  const browserOnStrictProvider = (cookies?: Map<string, string>) =>
    new TestBrowser(async (path, init) => app.fetch(new Request(new URL(path, ORIGIN), init), strictEnv, createExecutionContext()), cookies);
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("a live password-only session must step up: the code page, then the MFA acr without the client asking", async () => {
    await awayFromStepBoundary();
    const user = await createUser();
    const normal = new TestBrowser();
    await throughConsent(normal, await passwordStep(normal, (await authorizeParams(clientId)).params, user));
    const started = await (await accountForm(normal, "start_totp")).text();
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(started)![1]!;
    expect((await accountForm(normal, "confirm_totp", { code: codeAt(secret, -1) })).status).toBe(200);
    // The same browser (its password-only session) on a provider with MFA_REQUIRED=on.
    const strict = browserOnStrictProvider(normal.cookies);
    const req = await authorizeParams(clientId);
    const page = await (await strict.get(authorizeUrl(req.params))).text();
    expect(page).toContain('action="/second-factor"');
    const { claims } = await idTokenClaims(clientId, redirectParams(await submitCode(strict, page, codeAt(secret))), req.verifier, req.nonce);
    expect(claims.acr).toBe(ACR_MFA);
  });

  it("a user without TOTP is sent to enrol after the password, and gets no code", async () => {
    const user = await createUser();
    const res = await passwordStep(browserOnStrictProvider(), (await authorizeParams(clientId)).params, user);
    expect(res.status).toBe(403);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain('href="/account"');
  });
});
