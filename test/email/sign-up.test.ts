import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField } from "../helpers/browser";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { challengeCount, codeIn, idTokenClaims, mailTo, startAuthorize, toRedirect, waitForMail, type Started } from "./helpers";

/**
 * Self-service sign-up from the login page: the account exists only once the emailed code
 * proves the address; then it is signed in (amr otp, RFC 8176 §2) and the authorization goes on.
 */
describe("sign-up with email verification", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  async function signUpForm(started: Started, fields: Record<string, string>): Promise<Response> {
    const start = await started.browser.post("/signup-start", { interaction: started.interaction });
    expect(start.status).toBe(200);
    return started.browser.post("/signup", { interaction: hiddenField(await start.text(), "interaction"), ...fields });
  }

  const emailIndexed = async (email: string) => (await env.DB.prepare("SELECT user_id FROM user_emails WHERE email = ?").bind(email).first<string>("user_id")) ?? null;

  it("the code creates the account (email verified), signs it in and continues the authorization", async () => {
    const email = `new-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const started = await startAuthorize(clientId);
    const page = await signUpForm(started, { email, name: "Grace Hopper", password: "a long enough passphrase" });
    expect(page.status).toBe(200);
    const html = await page.text();
    // No account before the code.
    expect(await emailIndexed(email)).toBeNull();
    const code = codeIn(await waitForMail(email));
    const res = await started.browser.post("/signup-code", { interaction: hiddenField(html, "interaction"), user: hiddenField(html, "user"), email, code });
    const params = await toRedirect(started.browser, res);
    const claims = await idTokenClaims(clientId, params.get("code")!, started.verifier);
    expect(claims.sub).toBe(await emailIndexed(email));
    expect(claims.amr).toEqual(["otp"]);
    const { user } = await json<{ user: Record<string, unknown> }>(await admin("GET", `/users/${claims.sub}`));
    expect(user).toMatchObject({ email, name: "Grace Hopper" });
    expect(user.email_verified ?? user.emailVerified).toBe(true);
    // The password chosen at sign-up works.
    const again = await startAuthorize(clientId);
    expect((await again.browser.post("/login", { interaction: again.interaction, email, password: "a long enough passphrase" })).status).not.toBe(401);
  });

  it("a wrong code creates nothing and leaves the email free", async () => {
    const email = `wrong-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const started = await startAuthorize(clientId);
    const html = await (await signUpForm(started, { email, name: "", password: "a long enough passphrase" })).text();
    const code = codeIn(await waitForMail(email));
    const res = await started.browser.post("/signup-code", { interaction: hiddenField(html, "interaction"), user: hiddenField(html, "user"), email, code: code === "000000" ? "111111" : "000000" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("That code is not correct");
    expect(await emailIndexed(email)).toBeNull();
  });

  it("a taken email gets the same page; its owner gets an email, no code, and no second account exists", async () => {
    const existing = await createUser();
    const started = await startAuthorize(clientId);
    const page = await signUpForm(started, { email: existing.email, name: "", password: "a long enough passphrase" });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("We sent a code to");
    const mail = await waitForMail(existing.email);
    expect(mail.subject).toContain("tried to create an account");
    expect(mail.text).not.toMatch(/\d{6}/);
    const res = await started.browser.post("/signup-code", { interaction: hiddenField(html, "interaction"), user: hiddenField(html, "user"), email: existing.email, code: "123456" });
    expect(res.status).toBe(400);
    expect(await emailIndexed(existing.email)).toBe(existing.id);
  });

  it("bad input is a 4xx page, stores nothing and sends nothing", async () => {
    const started = await startAuthorize(clientId);
    const before = await challengeCount();
    for (const fields of [{ email: "nope", name: "", password: "a long enough passphrase" }, { email: "short@example.com", name: "", password: "short" }, { email: "long@example.com", name: "x".repeat(500), password: "a long enough passphrase" }]) {
      const res = await signUpForm(started, fields);
      expect(res.status).toBe(400);
    }
    expect(await mailTo("short@example.com")).toEqual([]);
    expect(await challengeCount()).toBe(before);
    const res = await started.browser.post("/signup-code", { interaction: started.interaction, user: "x", email: "a@example.com", code: "123456" });
    expect(res.status).toBe(400);
    expect((await started.browser.post("/signup", { interaction: "forged" })).status).toBe(400);
  });
});
