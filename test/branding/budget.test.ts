import { createExecutionContext, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { TestBrowser } from "../helpers/browser";
import { admin, ORIGIN } from "../helpers/http";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI, signIn } from "../helpers/oidc";

afterEach(() => vi.restoreAllMocks());

/** The request log line of one request in `browser`: its status, actor calls and D1 statements. */
async function costOf(browser: TestBrowser, path: string): Promise<{ status: number; actor_calls: number; d1_statements: number }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  const workerEnv = { ...(env as unknown as Env), LOG_REQUESTS: "all" };
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  await app.fetch(new Request(new URL(path, ORIGIN), { headers: { Cookie: cookie, "Accept-Language": "ja" }, redirect: "manual" }), workerEnv, createExecutionContext());
  spy.mockRestore();
  return JSON.parse(lines.find((l) => l.includes('"event":"request"'))!);
}

/**
 * DESIGN.md's budget holds for a branded client: /authorize with a live session makes one
 * actor call and no D1 query — the branding is part of the cached client registration.
 */
describe("/authorize budget with branding", () => {
  it("a branded client's /authorize with a live session: one actor call, no D1 statement", async () => {
    const { clientId } = await registerClient("confidential");
    expect((await admin("PUT", `/clients/${clientId}/branding`, { display_name: "Budget Co", primary_color: "#334455" })).status).toBe(200);
    const user = await createUser();
    const params = { client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "st", nonce: "n", ui_locales: "ja" };
    const browser = new TestBrowser();
    expect((await signIn(browser, params, user)).get("code")).toBeTruthy();
    expect(await costOf(browser, authorizeUrl({ ...params, state: "again" }))).toMatchObject({ status: 302, actor_calls: 1, d1_statements: 0 });
  });
});
