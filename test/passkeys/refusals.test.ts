import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { base64url } from "jose";
import { sha256 } from "../../src/oauth/secrets";
import { bucketOf } from "../../src/shard/bucket";
import { stubFor } from "../../src/shard/stub";
import { TestBrowser } from "../helpers/browser";
import { registerClient } from "../helpers/oidc";
import { rowsIn } from "../helpers/shards";
import { authorizeParams, loginPage, passkeySignIn, shardOfUser, signInOptions, userRows, userWithPasskey } from "./helpers";

/**
 * What a passkey sign-in refuses (WebAuthn §7.2, §13.4.3): a replayed or expired challenge,
 * another origin or RP ID, a counter that went back, a bad signature, malformed JSON. Each
 * is a 4xx page without a session or a code; only a bad signature or counter counts as a
 * failed attempt, and failures slow the account down like wrong passwords.
 */
describe("passkey sign-in refusals", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  const params = async () => (await authorizeParams(clientId)).params;
  const signedIn = (browser: TestBrowser) => [...browser.cookies.keys()].some((k) => k.includes("session"));

  it("a replayed answer is refused, even racing the original: exactly one of the same answer's submissions signs in (§13.4.3)", async () => {
    const { user, auth } = await userWithPasskey();
    const sessionsBefore = (await userRows(user.id, "sessions")).length;
    const first = new TestBrowser();
    const interaction = await loginPage(first, await params());
    const options = await signInOptions(first, interaction);
    const answer = JSON.stringify(await auth.assert({ challenge: options.challenge, userHandle: user.id }));
    // Two browsers holding the same challenge cookie (a stolen cookie and answer) send it at once.
    const second = new TestBrowser(undefined, new Map(first.cookies));
    const results = await Promise.all([first, second].map((b) => b.post("/passkey-login", { interaction, passkey: answer })));
    const statuses = results.map((r) => r.status).sort();
    // The winner gets the consent page (a first sign-in to this client), the replay a 400 page.
    expect(statuses).toEqual([200, 400]);
    expect((await userRows(user.id, "sessions")).length).toBe(sessionsBefore + 1);
    expect(await userRows(user.id, "passkey_failures")).toEqual([]);
  });

  it("an expired challenge is refused by the shard and changes nothing", async () => {
    const { user, auth } = await userWithPasskey();
    const bucket = bucketOf(user.id);
    const shard = stubFor(env, await shardOfUser(user.id));
    const before = await userRows(user.id, "passkeys");
    const sessionsBefore = await userRows(user.id, "sessions");
    const result = await shard.passkey({
      kind: "sign_in", bucket, userId: user.id, credentialId: auth.credentialId,
      challenge: { hash: await sha256("passkey:expired"), expiresAt: Date.now() - 1 },
      verified: { newCounter: 99, userVerified: true, backedUp: false, deviceType: "singleDevice" },
      session: { idHash: await sha256("s"), sid: "sid-expired" },
      ask: { clientId, maxAge: null, forceConsent: true, code: { codeHash: "", clientId, redirectUri: "", scope: "openid", codeChallenge: null, nonce: null, ttlS: 1 } },
    });
    expect(result).toMatchObject({ ok: false, error: "invalid_grant" });
    expect(await userRows(user.id, "passkeys")).toEqual(before);
    expect(await userRows(user.id, "sessions")).toEqual(sessionsBefore);
    expect(await userRows(user.id, "passkey_failures")).toEqual([]);
  });

  it("a spent challenge is remembered until it would have expired, then swept", async () => {
    const { user, auth } = await userWithPasskey();
    await passkeySignIn(new TestBrowser(), await params(), auth, user.id);
    const shardName = await shardOfUser(user.id);
    const spent = await rowsIn(shardName, "spent_passkey_challenges", "bucket = ?", bucketOf(user.id));
    expect(spent.length).toBeGreaterThanOrEqual(1);
    expect(spent.every((r) => (r.expires_at as number) > Date.now())).toBe(true);
    await runInDurableObject(stubFor(env, shardName), (_i, state) => void state.storage.sql.exec("UPDATE spent_passkey_challenges SET expires_at = ? WHERE bucket = ?", Date.now() - 1000, bucketOf(user.id)));
    expect((await stubFor(env, shardName).sweep()).deleted.spent_passkey_challenges).toBeGreaterThanOrEqual(spent.length);
    expect(await rowsIn(shardName, "spent_passkey_challenges", "bucket = ?", bucketOf(user.id))).toEqual([]);
  });

  it("a sign-in without the challenge cookie (expired, or another browser) asks to try again", async () => {
    const { user, auth } = await userWithPasskey();
    const browser = new TestBrowser();
    const interaction = await loginPage(browser, await params());
    const options = await signInOptions(browser, interaction);
    browser.cookies.delete("authshard_passkey");
    const answer = await auth.assert({ challenge: options.challenge, userHandle: user.id });
    const res = await browser.post("/passkey-login", { interaction, passkey: JSON.stringify(answer) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired or was already used");
  });

  it("another origin (§7.2 step 13) or RP ID (step 15) gets a clear 400 page; no session, counter unchanged, no failure counted", async () => {
    const { user, auth } = await userWithPasskey();
    for (const [twist, message] of [[{ origin: "https://evil.example" }, "came from another website"], [{ rpId: "evil.example" }, "belongs to another website"]] as const) {
      const browser = new TestBrowser();
      const { res } = await passkeySignIn(browser, await params(), auth, user.id, twist);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
      expect(signedIn(browser)).toBe(false);
    }
    expect((await userRows(user.id, "passkeys"))[0]).toMatchObject({ counter: 0 });
    expect(await userRows(user.id, "passkey_failures")).toEqual([]);
  });

  it("a counter that did not go up is refused as a possible clone (§6.1.1); both 0 (no counter kept) is accepted", async () => {
    const { user, auth } = await userWithPasskey();
    expect((await passkeySignIn(new TestBrowser(), await params(), auth, user.id, { counter: 5 })).res.status).toBeLessThan(400);
    const clone = new TestBrowser();
    const { res } = await passkeySignIn(clone, await params(), auth, user.id, { counter: 5 });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("could not be verified");
    expect(signedIn(clone)).toBe(false);
    expect((await userRows(user.id, "passkeys"))[0]).toMatchObject({ counter: 5 });
    expect((await userRows(user.id, "passkey_failures"))[0]).toMatchObject({ failed_count: 1 });

    const { user: other, auth: counterless } = await userWithPasskey();
    for (let i = 0; i < 2; i++) expect((await passkeySignIn(new TestBrowser(), await params(), counterless, other.id, { counter: 0 })).res.status).toBeLessThan(400);
  });

  it("a bad signature is a failed attempt; after 5 the account is slowed down (429, Retry-After) even for a good answer", async () => {
    const { user, auth } = await userWithPasskey();
    for (let i = 0; i < 5; i++) {
      const browser = new TestBrowser();
      const interaction = await loginPage(browser, await params());
      const options = await signInOptions(browser, interaction);
      const answer = await auth.assert({ challenge: options.challenge, userHandle: user.id });
      const sig = base64url.decode(answer.response.signature);
      sig[sig.length - 1] = sig[sig.length - 1]! ^ 1;
      const res = await browser.post("/passkey-login", { interaction, passkey: JSON.stringify({ ...answer, response: { ...answer.response, signature: base64url.encode(sig) } }) });
      expect(res.status).toBe(i < 4 ? 401 : 429);
    }
    const { res } = await passkeySignIn(new TestBrowser(), await params(), auth, user.id);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("malformed JSON, an unknown credential or user handle → a 4xx page, never a 500, and nothing written", async () => {
    const { user, auth } = await userWithPasskey();
    const sessionsBefore = await userRows(user.id, "sessions");
    const browser = new TestBrowser();
    const interaction = await loginPage(browser, await params());
    for (const passkey of ["", "{", "null", JSON.stringify({ id: "a", rawId: "a", type: "public-key", response: { clientDataJSON: "!" } }), "x".repeat(4000)]) {
      await signInOptions(browser, interaction);
      const res = await browser.post("/passkey-login", { interaction, passkey });
      expect(res.status).toBe(400);
    }
    await signInOptions(browser, interaction);
    const stranger = await passkeySignIn(browser, await params(), auth, "no-such-user-id");
    expect(stranger.res.status).toBe(401);
    expect(await userRows(user.id, "passkey_failures")).toEqual([]);
    expect(await userRows(user.id, "sessions")).toEqual(sessionsBefore);
    expect(signedIn(browser)).toBe(false);
  });
});
