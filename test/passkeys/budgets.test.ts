import { createExecutionContext, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { redirectParams, TestBrowser } from "../helpers/browser";
import { ORIGIN } from "../helpers/http";
import { authorizeUrl, registerClient } from "../helpers/oidc";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";
import { authorizeParams, loginPage, passkeySignIn, signInOptions, throughConsent, userWithPasskey } from "./helpers";

/**
 * The budgets passkeys keep: /authorize with a passkey session is one actor call and no D1
 * statement (DESIGN.md hot path), and answers are limited per address like the password
 * form (LIMIT_FORM_IP; a small limit stands for the configured 30 a minute).
 */
describe("passkey budgets", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("/authorize with a live passkey session is one actor call and no D1 statement", async () => {
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    await throughConsent(browser, (await passkeySignIn(browser, (await authorizeParams(clientId)).params, auth, user.id)).res);
    await browser.get(authorizeUrl((await authorizeParams(clientId)).params)); // warms this isolate's client cache
    const points: AnalyticsEngineDataPoint[] = [];
    const workerEnv = { ...(env as unknown as Env), REQUEST_METRICS: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p ?? {}) } };
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await app.fetch(new Request(new URL(authorizeUrl((await authorizeParams(clientId)).params), ORIGIN), { headers: { cookie }, redirect: "manual" }), workerEnv, createExecutionContext());
    expect(redirectParams(res).get("code")).toBeTruthy();
    expect(points).toHaveLength(1);
    expect(points[0]!.doubles!.slice(2)).toEqual([1, 0, 0]); // actor calls, D1 statements, shard retries
  });

  it("answers beyond the per-address limit are refused with 429 before any check", async () => {
    const workerEnv = limitedEnv({ LIMIT_FORM_IP: smallLimit((env as unknown as Env).LIMIT_FORM_IP, 2) });
    const { user, auth } = await userWithPasskey();
    const ip = freshIp();
    const limited = new TestBrowser((path, init) => callAs(workerEnv, ip, path, init));
    await roomInWindow(15_000);
    const interaction = await loginPage(limited, (await authorizeParams(clientId)).params);
    for (let i = 0; i < 2; i++) expect((await limited.post("/passkey-login", { interaction, passkey: "{" })).status).toBe(400);
    await signInOptions(limited, interaction);
    const refused = await limited.post("/passkey-login", { interaction, passkey: JSON.stringify(await auth.assert({ challenge: "AAAA", userHandle: user.id })) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("60");
  });
});
