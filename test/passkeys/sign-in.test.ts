import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { redirectParams, TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { ACR_MFA, authorizeParams, idTokenClaims, loginPage, passkeySignIn, signInOptions, throughConsent, userRows, userWithPasskey } from "./helpers";

/**
 * Signing in with a passkey from the login page (WebAuthn Level 3 §7.2) through a real
 * authorization-code flow (oauth4webapi redeems the code): discoverable and email first,
 * amr per RFC 8176 §2, and the refusals — each without a session or a code.
 */
describe("passkey sign-in (WebAuthn §7.2)", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("a discoverable credential signs in with no email typed: the ID token says hwk, user, mfa and the MFA acr (RFC 8176 §2)", async () => {
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    const req = await authorizeParams(clientId);
    const { res } = await passkeySignIn(browser, req.params, auth, user.id);
    const { claims } = await idTokenClaims(clientId, await throughConsent(browser, res), req.verifier, req.nonce);
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(["hwk", "user", "mfa"]);
    expect(claims.acr).toBe(ACR_MFA);
    const [row] = await userRows(user.id, "passkeys");
    expect(row).toMatchObject({ counter: auth.counter });
    expect(row!.last_used_at).toBeTypeOf("number");
  });

  it("a synced (backed-up, §6.1 BE/BS) passkey gives amr swk", async () => {
    const { user, auth } = await userWithPasskey((a) => (a.backedUp = true));
    const browser = new TestBrowser();
    const req = await authorizeParams(clientId);
    const { res } = await passkeySignIn(browser, req.params, auth, user.id);
    const { claims } = await idTokenClaims(clientId, await throughConsent(browser, res), req.verifier, req.nonce);
    expect(claims.amr).toEqual(["swk", "user", "mfa"]);
  });

  it("email first: the options list the user's credentials (allowCredentials, §5.5), and an answer without a user handle signs in", async () => {
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    const req = await authorizeParams(clientId);
    const interaction = await loginPage(browser, req.params);
    const options = await signInOptions(browser, interaction, user.email);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([auth.credentialId]);
    expect(options.userVerification).toBe("required");
    const answer = await auth.assert({ challenge: options.challenge, userHandle: null });
    const res = await browser.post("/passkey-login", { interaction, passkey: JSON.stringify(answer) });
    const { claims } = await idTokenClaims(clientId, await throughConsent(browser, res), req.verifier, req.nonce);
    expect(claims.sub).toBe(user.id);
  });

  it("an unknown email gets a discoverable request like no email (no account enumeration)", async () => {
    const browser = new TestBrowser();
    const interaction = await loginPage(browser, (await authorizeParams(clientId)).params);
    const options = await signInOptions(browser, interaction, "nobody-here@example.com");
    expect(options.allowCredentials ?? []).toEqual([]);
  });

  it("a client that requires MFA accepts the passkey session without asking for a code", async () => {
    const strict = (await registerClient("public", { mfa_required: true })).clientId;
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    const req = await authorizeParams(strict);
    const { res } = await passkeySignIn(browser, req.params, auth, user.id);
    expect(res.headers.get("location") ?? (await res.clone().text())).not.toContain("second-factor");
    const { claims } = await idTokenClaims(strict, await throughConsent(browser, res), req.verifier, req.nonce);
    expect(claims.acr).toBe(ACR_MFA);
  });

  it("the discoverable answer routes by its user handle: /passkey-options and /passkey-login make no D1 statement (DESIGN.md)", async () => {
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    const req = await authorizeParams(clientId);
    const interaction = await loginPage(browser, req.params); // also warms this isolate's client cache
    const points: AnalyticsEngineDataPoint[] = [];
    const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
    const send = async (path: string, init: RequestInit) => app.fetch(new Request(new URL(path, ORIGIN), init), workerEnv, createExecutionContext());
    const measured = new TestBrowser(send, browser.cookies);
    const options = await signInOptions(measured, interaction);
    const answer = await auth.assert({ challenge: options.challenge, userHandle: user.id });
    const res = await measured.post("/passkey-login", { interaction, passkey: JSON.stringify(answer) });
    expect(res.status).toBeLessThan(400);
    expect(points).toHaveLength(2);
    expect(points[0]!.doubles!.slice(2)).toEqual([0, 0, 0]); // options: actor calls, D1 statements, shard retries
    expect(points[1]!.doubles!.slice(2)).toEqual([2, 0, 0]); // answer: the key read, then the one sign-in transaction
  });
});
