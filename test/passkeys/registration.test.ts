import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { base64url } from "jose";
import { stubFor } from "../../src/shard/stub";
import { SoftAuthenticator } from "../helpers/webauthn";
import { accountCsrf, accountUser, addPasskey, registrationOptions, shardOfUser, userRows } from "./helpers";

/**
 * Registering passkeys from the account page (WebAuthn Level 3 §7.1, with the software
 * authenticator in test/helpers/webauthn.ts): the options, the answer's checks, what is
 * stored, and that nothing is stored for an answer that is refused.
 */
describe("passkey registration (WebAuthn §7.1)", () => {
  it("offers options for a discoverable, user-verifying credential whose user handle is the user id (§5.4.3, §5.4.6)", async () => {
    const { user, browser } = await accountUser();
    const { options } = await registrationOptions(browser);
    expect(options.rp.id).toBe("localhost");
    expect(new TextDecoder().decode(base64url.decode(options.user.id))).toBe(user.id);
    expect(options.user.name).toBe(user.email);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(base64url.decode(options.challenge)).toHaveLength(32);
  });

  it("stores the verified credential with its counter and backup flags (§6.1), listed on the account page by name", async () => {
    const { user, browser } = await accountUser();
    const auth = await SoftAuthenticator.create();
    auth.backedUp = true;
    auth.counter = 7;
    const res = await addPasskey(browser, auth, "Laptop");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Passkey added");
    expect(html).toContain("Laptop");
    const [row] = await userRows(user.id, "passkeys");
    expect(row).toMatchObject({ credential_id: auth.credentialId, name: "Laptop", counter: 7, backed_up: 1, device_type: "multiDevice", last_used_at: null });
  });

  it("holds several passkeys per user; the options exclude those already registered (§5.4.3 excludeCredentials)", async () => {
    const { user, browser } = await accountUser();
    const first = await SoftAuthenticator.create();
    const second = await SoftAuthenticator.create();
    expect((await addPasskey(browser, first, "One")).status).toBe(200);
    expect((await addPasskey(browser, second, "Two")).status).toBe(200);
    expect((await userRows(user.id, "passkeys")).map((r) => r.name).sort()).toEqual(["One", "Two"]);
    const { options } = await registrationOptions(browser);
    expect(options.excludeCredentials.map((c) => c.id).sort()).toEqual([first.credentialId, second.credentialId].sort());
  });

  it("refuses an answer from another origin (§7.1 step 9) or for another RP ID (step 13) with a clear message; nothing is stored", async () => {
    const { user, browser } = await accountUser();
    const auth = await SoftAuthenticator.create();
    const origin = await addPasskey(browser, auth, "x", { origin: "https://evil.example" });
    expect(origin.status).toBe(400);
    expect(await origin.text()).toContain("came from another website");
    const rp = await addPasskey(browser, auth, "x", { rpId: "evil.example" });
    expect(rp.status).toBe(400);
    expect(await rp.text()).toContain("belongs to another website");
    expect(await userRows(user.id, "passkeys")).toEqual([]);
  });

  it("refuses an answer for another challenge, or the same answer sent twice (the challenge is single use)", async () => {
    const { user, browser } = await accountUser();
    const auth = await SoftAuthenticator.create();
    const wrong = await addPasskey(browser, auth, "x", { challenge: base64url.encode(new Uint8Array(32)) });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("does not belong to this sign-in");
    // The first answer is accepted; its replay finds no challenge (the cookie is gone) ...
    const { csrf, options } = await registrationOptions(browser);
    const answer = JSON.stringify(await auth.register({ challenge: options.challenge }));
    const cookie = browser.cookies.get("authshard_passkey")!;
    expect((await browser.post("/account/passkeys", { csrf, action: "add", name: "k", passkey: answer })).status).toBe(200);
    // ... and with the cookie put back, the shard finds the credential (and the challenge) already there.
    browser.cookies.set("authshard_passkey", cookie);
    const replay = await browser.post("/account/passkeys", { csrf, action: "add", name: "k2", passkey: answer });
    expect(replay.status).toBe(400);
    expect(await userRows(user.id, "passkeys")).toHaveLength(1);
  });

  it("malformed answers and a missing CSRF value get a 4xx page, never a 500, and store nothing", async () => {
    const { user, browser } = await accountUser();
    const { csrf } = await registrationOptions(browser);
    for (const passkey of ["{", "[]", JSON.stringify({ id: "x", rawId: "x", type: "public-key", response: {} }), "x".repeat(5000)]) {
      const res = await browser.post("/account/passkeys", { csrf, action: "add", name: "k", passkey });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const noCsrf = await browser.post("/account/passkey-options", {});
    expect(noCsrf.status).toBe(400);
    expect(await userRows(user.id, "passkeys")).toEqual([]);
  });

  it("removes one passkey; the last one of an account without a password stays (its only way in)", async () => {
    const { user, browser } = await accountUser();
    const one = await SoftAuthenticator.create();
    const two = await SoftAuthenticator.create();
    await addPasskey(browser, one, "One");
    await addPasskey(browser, two, "Two");
    const csrf = await accountCsrf(browser);
    const removed = await browser.post("/account/passkeys", { csrf, action: "remove", credential_id: one.credentialId });
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain("Passkey removed.");
    expect((await userRows(user.id, "passkeys")).map((r) => r.credential_id)).toEqual([two.credentialId]);
    // With a password the last passkey can go too; without one it cannot.
    await runInDurableObject(stubFor(env, await shardOfUser(user.id)), (_i, state) => void state.storage.sql.exec("DELETE FROM credentials WHERE user_id = ? AND type = 'password'", user.id));
    const last = await browser.post("/account/passkeys", { csrf, action: "remove", credential_id: two.credentialId });
    expect(last.status).toBe(400);
    expect(await last.text()).toContain("last way to sign in");
    expect(await userRows(user.id, "passkeys")).toHaveLength(1);
  });
});
