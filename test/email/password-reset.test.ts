import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { issueCode } from "../helpers/codes";
import { call } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { askForCode, codeIn, startAuthorize, waitForMail } from "./helpers";

/** "Forgot password?": a reset code by email, single use, sets the new password and ends every session. */
describe("password reset by email", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  async function passwordWorks(email: string, password: string): Promise<boolean> {
    const started = await startAuthorize(clientId);
    const res = await started.browser.post("/login", { interaction: started.interaction, email, password });
    return res.status !== 401;
  }

  it("sets the new password, the old one stops working, and the user's other sessions end", async () => {
    const user = await createUser();
    // A session in another browser, alive before the reset (/authorize with it skips the login page).
    const other = await issueCode(clientId, { user });
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email, "/forgot-password");
    const mail = await waitForMail(user.email);
    expect(mail.subject).toMatch(/password reset code/);
    const res = await started.browser.post("/reset-password", { interaction, code: codeIn(mail), password: "a brand new passphrase" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Your password was changed");
    expect(await passwordWorks(user.email, user.password)).toBe(false);
    expect(await passwordWorks(user.email, "a brand new passphrase")).toBe(true);
    // The other browser's session is gone: /authorize shows the login page again.
    const again = await other.browser.get(`/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent("http://localhost:3000/callback")}&response_type=code&scope=openid&code_challenge=${"a".repeat(43)}&code_challenge_method=S256`);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('action="login"');
  });

  it("a reset code works once and not as a sign-in code", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email, "/forgot-password");
    const code = codeIn(await waitForMail(user.email));
    expect((await started.browser.post("/email-code", { interaction, code })).status).toBe(400);
    expect((await started.browser.post("/reset-password", { interaction, code, password: "first new passphrase" })).status).toBe(200);
    const replay = await started.browser.post("/reset-password", { interaction, code, password: "second new passphrase" });
    expect(replay.status).toBe(400);
    expect(await passwordWorks(user.email, "first new passphrase")).toBe(true);
  });

  it("a too-short password or a wrong code changes nothing", async () => {
    const user = await createUser();
    const started = await startAuthorize(clientId);
    const interaction = await askForCode(started, user.email, "/forgot-password");
    const code = codeIn(await waitForMail(user.email));
    const short = await started.browser.post("/reset-password", { interaction, code, password: "short" });
    expect(short.status).toBe(400);
    const wrong = await started.browser.post("/reset-password", { interaction, code: code === "000000" ? "111111" : "000000", password: "long enough passphrase" });
    expect(wrong.status).toBe(400);
    expect(hiddenField(await wrong.text(), "interaction")).toBeTruthy();
    expect(await passwordWorks(user.email, user.password)).toBe(true);
    // Without the browser's handle cookie the code is nothing.
    const bare = new TestBrowser(undefined, new Map([...started.browser.cookies].filter(([k]) => !k.includes("email"))));
    expect((await bare.post("/reset-password", { interaction, code, password: "long enough passphrase" })).status).toBe(400);
    expect((await call("/reset-password", { method: "POST" })).status).toBe(400);
  });
});
