import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { authorizeUrl, createUser, registerClient, REDIRECT_URI } from "../helpers/oidc";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";
import type { Env } from "../../src/env";

let clientId: string;
const params = () => ({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "st", nonce: "n" });

beforeAll(async () => {
  clientId = (await registerClient("confidential")).clientId;
});

/** A browser whose requests reach the router with `workerEnv`, from address `ip`. */
const browserAt = (workerEnv: Env, ip: string) => new TestBrowser((path, init) => callAs(workerEnv, ip, path, init));

/**
 * The pages' 429: the router's HTML error page with Retry-After (RFC 6585 §4), not
 * cached, and never a redirect to the client (the limit runs before the client is
 * even read, and a 429 is no authorization response of RFC 6749 §4.1.2.1).
 */
async function expectTooManyPage(res: Response, what: RegExp): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get("Location")).toBeNull();
  expect(res.headers.get("Retry-After")).toBe("60");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain("<h1>Too many requests</h1>");
  expect(html).toMatch(what);
}

describe("per-address limit of the pages (LIMIT_AUTHORIZE_IP)", () => {
  it("/authorize: the N+1st request in a window gets the error page, not a redirect; other addresses go on", async () => {
    const workerEnv = limitedEnv({ LIMIT_AUTHORIZE_IP: smallLimit(env.LIMIT_AUTHORIZE_IP, 2) });
    const [busy, other] = [freshIp(), freshIp()];
    await roomInWindow();
    for (let i = 0; i < 2; i++) expect((await callAs(workerEnv, busy, authorizeUrl(params()))).status).toBe(200);
    await expectTooManyPage(await callAs(workerEnv, busy, authorizeUrl(params())), /sign-in requests from this address/);
    // POST /authorize is the same endpoint and the same budget.
    const post = await callAs(workerEnv, busy, "/authorize", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params()).toString(),
    });
    await expectTooManyPage(post, /from this address/);
    expect((await callAs(workerEnv, other, authorizeUrl(params()))).status).toBe(200);
  });

  it("the consent and logout confirmation forms draw on the same budget", async () => {
    const workerEnv = limitedEnv({ LIMIT_AUTHORIZE_IP: smallLimit(env.LIMIT_AUTHORIZE_IP, 2) });
    const browser = browserAt(workerEnv, freshIp());
    await roomInWindow();
    expect((await browser.post("/consent", { interaction: "forged", decision: "allow" })).status).toBe(400);
    expect((await browser.post("/logout", { confirmation: "forged" })).status).toBe(400);
    await expectTooManyPage(await browser.post("/logout", { confirmation: "forged" }), /from this address/);
    await expectTooManyPage(await browser.post("/consent", { interaction: "forged", decision: "allow" }), /from this address/);
  });
});

describe("per-address limit of the login form (LIMIT_FORM_IP, the wrangler.jsonc binding as configured)", () => {
  it("30 sign-in attempts per minute from one address, across accounts; the 31st is refused, the right password elsewhere is not", async () => {
    const workerEnv = limitedEnv();
    const user = await createUser();
    const [stuffer, owner] = [freshIp(), freshIp()];
    const browser = browserAt(workerEnv, stuffer);
    await roomInWindow(20_000);
    const interaction = hiddenField(await (await browser.get(authorizeUrl(params()))).text(), "interaction");
    // Credential stuffing: one guess per account, so the per-account slow-down never starts.
    for (let i = 0; i < 30; i++) {
      const res = await browser.post("/login", { interaction, email: `victim-${i}@example.com`, password: "Summer2024!" });
      expect(res.status).toBe(401);
    }
    await expectTooManyPage(await browser.post("/login", { interaction, email: user.email, password: user.password }), /sign-in attempts from this address/);
    // Pages other than the login form are still served to that address.
    expect((await browser.get(authorizeUrl(params()))).status).toBe(200);
    // The account itself is not locked: its owner, elsewhere, signs in.
    const ownBrowser = browserAt(workerEnv, owner);
    const own = hiddenField(await (await ownBrowser.get(authorizeUrl(params()))).text(), "interaction");
    const signedIn = await ownBrowser.post("/login", { interaction: own, email: user.email, password: user.password });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toContain('action="consent"');
  });
});
