import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { createUser, registerClient } from "../helpers/oidc";
import { askForCode, challengeCount, codeIn, expireChallenges, idTokenClaims, linkIn, mailTo, startAuthorize, toRedirect, waitForMail } from "./helpers";

/**
 * Sign-in by emailed code and magic link: the code from the development mailbox, single
 * use, attempts limited, bound to the browser that asked. amr is "otp" (RFC 8176 §2).
 */
describe("email code and magic link sign-in", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("a code from the mailbox signs in; the ID token says amr otp (RFC 8176 §2) and acr 1", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const mail = await waitForMail(user.email);
    expect(mail.subject).toMatch(/sign-in code/);
    const res = await started.browser.post("/email-code", { interaction, code: codeIn(mail) });
    const params = await toRedirect(started.browser, res);
    expect(params.get("state")).toBe("s");
    const claims = await idTokenClaims(clientId, params.get("code")!, started.verifier);
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(["otp"]);
    expect(claims.acr).toBe("1");
  });

  it("a code works once: the same code again is refused", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    const first = await started.browser.post("/email-code", { interaction, code });
    expect([200, 302]).toContain(first.status);
    const again = await started.browser.post("/email-code", { interaction, code });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("expired, was used");
  });

  it("two racing submissions of one code: exactly one signs in", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    const results = await Promise.all([0, 1, 2].map(() => started.browser.post("/email-code", { interaction, code })));
    expect(results.filter((r) => r.status === 400)).toHaveLength(2);
  });

  it("too many wrong codes kill the code: the right one is then refused", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      const res = await started.browser.post("/email-code", { interaction, code: wrong });
      expect(res.status).toBe(400);
    }
    const res = await started.browser.post("/email-code", { interaction, code });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("mistyped too many times");
  });

  it("an expired code is refused", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    expect(await expireChallenges(user.id)).toBeGreaterThan(0);
    const res = await started.browser.post("/email-code", { interaction, code });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("expired");
  });

  it("the code works only in the browser that asked", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email);
    const code = codeIn(await waitForMail(user.email));
    // Another browser with its own page and CSRF cookie, but not the handle cookie.
    const other = await startAuthorize(clientId);
    const res = await other.browser.post("/email-code", { interaction: other.interaction, code });
    expect(res.status).toBe(400);
    // The code is still good where it was asked for.
    const ok = await started.browser.post("/email-code", { interaction, code });
    expect((await toRedirect(started.browser, ok)).get("code")).toBeTruthy();
  });

  it("the magic link signs in in the asking browser", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    await askForCode(started, user.email);
    const link = linkIn(await waitForMail(user.email));
    const params = await toRedirect(started.browser, await started.browser.get(link));
    const claims = await idTokenClaims(clientId, params.get("code")!, started.verifier);
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(["otp"]);
    // Single use: the link a second time is dead.
    const again = await started.browser.get(link);
    expect(again.status).toBe(400);
  });

  it("the magic link opened in another browser says where to open it and stays usable there", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    await askForCode(started, user.email);
    const link = linkIn(await waitForMail(user.email));
    const elsewhere = await new TestBrowser().get(link);
    expect(elsewhere.status).toBe(400);
    const page = await elsewhere.text();
    expect(page).toContain("works only in the browser where you asked");
    expect(elsewhere.headers.getSetCookie().join()).not.toMatch(/authshard_session/);
    const params = await toRedirect(started.browser, await started.browser.get(link));
    expect(params.get("code")).toBeTruthy();
  });

  it("an unknown email gets the same page and no mail; nothing is stored", async () => {
    const started = await startAuthorize(clientId);
    const email = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const before = await challengeCount();
    const page = await started.browser.post("/email-login", { interaction: started.interaction, email });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Check your email");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await mailTo(email)).toEqual([]);
    expect(await challengeCount()).toBe(before);
  });

  it("bad input is a 4xx page, never a 500", async () => {
    const started = await startAuthorize(clientId);
    const before = await challengeCount();
    const interaction = await askForCode(started, "not-an-email");
    for (const code of ["", "12345", "abcdef", "1".repeat(5000)]) {
      const res = await started.browser.post("/email-code", { interaction, code });
      expect(res.status).toBe(400);
    }
    expect((await started.browser.post("/email-code", { interaction: "forged", code: "123456" })).status).toBe(400);
    expect((await started.browser.get("/email-link?t=nonsense")).status).toBe(400);
    expect((await started.browser.get("/email-link")).status).toBe(400);
    expect(hiddenField(await (await started.browser.post("/email-login", { interaction: started.interaction })).text(), "interaction")).toBeTruthy();
    expect(await challengeCount()).toBe(before);
  });
});
