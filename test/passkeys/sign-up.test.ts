import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { registerClient } from "../helpers/oidc";
import { SoftAuthenticator } from "../helpers/webauthn";
import { codeIn, startAuthorize, waitForMail } from "../email/helpers";
import { authorizeParams, idTokenClaims, passkeySignIn, throughConsent, userRows } from "./helpers";

/**
 * Right after sign-up, a browser that can make passkeys (the code form's script says so) is
 * offered one; "Continue" then resumes the authorization with the new session.
 */
describe("a passkey right after sign-up", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("offers Add a passkey before going on; the passkey added there signs in later (WebAuthn §7.1, §7.2)", async () => {
    const email = `pk-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const started = await startAuthorize(clientId);
    const start = await started.browser.post("/signup-start", { interaction: started.interaction });
    const form = await started.browser.post("/signup", { interaction: hiddenField(await start.text(), "interaction"), email, name: "Ada", password: "a long enough passphrase" });
    const html = await form.text();
    expect(html).toContain('name="webauthn"');
    const code = codeIn(await waitForMail(email));
    const offer = await started.browser.post("/signup-code", { interaction: hiddenField(html, "interaction"), user: hiddenField(html, "user"), email, code, webauthn: "1" });
    expect(offer.status).toBe(200);
    const page = await offer.text();
    expect(page).toContain("Your account is ready");
    const csrf = hiddenField(page, "csrf");
    const interaction = hiddenField(page, "interaction");

    const options = (await (await started.browser.post("/account/passkey-options", { csrf })).json()) as { challenge: string };
    const auth = await SoftAuthenticator.create();
    const answer = await auth.register({ challenge: options.challenge });
    const added = await started.browser.post("/signup-passkey", { csrf, interaction, passkey: JSON.stringify(answer) });
    expect(await added.text()).toContain("Passkey added");
    const next = await started.browser.post("/signup-continue", { interaction });
    const callback = await throughConsent(started.browser, next);
    expect(callback.get("code")).toBeTruthy();

    const userId = (await env.DB.prepare("SELECT user_id FROM user_emails WHERE email = ?").bind(email).first<string>("user_id"))!;
    const [row] = await userRows(userId, "passkeys");
    expect(row).toMatchObject({ credential_id: auth.credentialId });
    const later = new TestBrowser();
    const req = await authorizeParams(clientId);
    const { res } = await passkeySignIn(later, req.params, auth, userId);
    const { claims } = await idTokenClaims(clientId, await throughConsent(later, res), req.verifier, req.nonce);
    expect(claims.amr).toEqual(["hwk", "user", "mfa"]);
  });
});

