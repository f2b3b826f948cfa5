import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertOf, answerPages, redeem, signInThrough, toCallback, userIdByEmail, userinfoOf } from "./flows.ts";
import { fakeProvider, GH_EMAIL, startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { browse, CookieJar, startWorker, type RunningWorker } from "./workers.ts";

/**
 * The return leg against upstreams that misbehave (./fake-upstream.ts), and an OAuth 2.0
 * (non-OpenID) upstream end to end: a person sees a clear page — never a 500 — and nothing
 * is written for a refused answer. The state is ours, signed, bound to the browser and
 * single use (RFC 6749 §10.12, RFC 9700 §4.7); the ID token is verified (OIDC Core §3.1.3.7:
 * signature by the upstream's key, nonce); every call to the upstream is bounded in time.
 */
let down: RunningWorker;
let fake: FakeUpstream;
const TIMEOUT_MS = 2000;
const MODES = ["good", "wrong-key", "bad-nonce", "down", "slow", "denied", "gh"];

beforeAll(async () => {
  [down, fake] = await Promise.all([startWorker("down-failures", { FEDERATION_TIMEOUT_MS: String(TIMEOUT_MS) }), startFakeUpstream()]);
  for (const mode of MODES) {
    const res = await down.admin.request("PUT", `/admin/upstreams/fake-${mode}`, fakeProvider(fake, mode));
    if (res.status !== 201) throw new Error(`fake-${mode}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([down?.dispose(), fake?.close()]);
});

const bindingCookie = "authshard_federation";

describe("federation: the return leg refuses what it must", () => {
  it("an OAuth 2.0 upstream (GitHub-like): userinfo for the profile, the verified primary email from the emails API", async () => {
    const { claims, tokens } = await signInThrough(down, "fake-gh", null);
    expect(claims!.amr).toEqual(["fed"]);
    expect(await userinfoOf(down, tokens!.access_token)).toMatchObject({ email: GH_EMAIL, email_verified: true, name: "Octo Cat" });
    const again = await signInThrough(down, "fake-gh", null);
    expect(again.claims!.sub).toBe(claims!.sub);
    // The operator keeps this provider's tokens (store_tokens): sealed in the link, never shown.
    const linked = await browse(again.jar, `${down.base}/account/linked`);
    expect(linked.html).toContain("FakeHub (octo@github.test) — its tokens are kept for connected services");
    expect(linked.html).not.toContain("at-gh");
  });

  it("a tampered state is refused with a clear page, and the genuine answer still works after it", async () => {
    const jar = new CookieJar();
    const { callback, verifier } = await toCallback(down, jar, "fake-good");
    const url = new URL(callback);
    const state = url.searchParams.get("state")!;
    // What the upstream sees of the state: not which application, redirect URI, state or nonce the person is signing in to.
    const visible = Buffer.from(state.split(".")[1]!, "base64url").toString();
    for (const secret of ["127.0.0.1:3000", "app-state", "app-nonce", "demo-app"]) expect(visible).not.toContain(secret);
    url.searchParams.set("state", `${state.slice(0, -4)}${state.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`);
    const tampered = await browse(jar, url.toString());
    expect(tampered.response.status).toBe(400);
    expect(alertOf(tampered.html)).toMatch(/expired, was already used, or was started in another browser/);
    const genuine = await answerPages(jar, await browse(jar, callback), null);
    expect((await redeem(down, genuine.url, verifier)).claims.amr).toEqual(["fed"]);
  });

  it("the answer opened in another browser is refused (the state is bound to the browser that started)", async () => {
    const { callback } = await toCallback(down, new CookieJar(), "fake-good");
    const elsewhere = await browse(new CookieJar(), callback);
    expect(elsewhere.response.status).toBe(400);
    expect(elsewhere.html).toContain("started in another browser");
  });

  it("a state is spent once: the same answer sent twice at once signs in once", async () => {
    const jar = new CookieJar();
    const { callback } = await toCallback(down, jar, "fake-good");
    const binding = jar.get(down.base, bindingCookie)!;
    const twin = new CookieJar();
    jar.copyTo(twin, down.base);
    twin.set(down.base, bindingCookie, binding);
    const both = await Promise.all([browse(jar, callback), browse(twin, callback)]);
    const refused = both.filter((p) => p.response.status === 400 && p.html.includes("already used"));
    expect(refused).toHaveLength(1);
  });

  const refusals: [string, RegExp][] = [
    ["wrong-key", /could not be verified/],
    ["bad-nonce", /could not be verified/],
    ["down", /did not work/],
    ["denied", /was cancelled/],
  ];
  for (const [mode, message] of refusals) {
    it(`${mode}: the login page again with a clear message, no account made`, async () => {
      const { end, claims } = await signInThrough(down, `fake-${mode}`, null);
      expect(claims).toBeNull();
      expect(end.response.status).toBe(400);
      expect(alertOf(end.html)).toMatch(message);
      expect(end.html).toContain('name="interaction"');
      expect(await userIdByEmail(down, `${mode}@fake.test`)).toBeNull();
    });
  }

  it("an upstream that does not answer is given up on after FEDERATION_TIMEOUT_MS", async () => {
    const started = Date.now();
    const { end, claims } = await signInThrough(down, "fake-slow", null);
    expect(claims).toBeNull();
    expect(alertOf(end.html)).toMatch(/did not work/);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3000);
  });

  it("an unknown provider on the login form is a clear page, not a redirect", async () => {
    const jar = new CookieJar();
    const { loginPage, pressProvider } = await import("./flows.ts");
    const { page } = await loginPage(down, jar);
    const refused = await pressProvider(down, jar, page, "nope");
    expect(refused.response.status).toBe(400);
    expect(alertOf(refused.html)).toMatch(/not available/);
  });
});
