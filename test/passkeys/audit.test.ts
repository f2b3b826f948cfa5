import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { deliverAudit } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { registerClient } from "../helpers/oidc";
import { SoftAuthenticator } from "../helpers/webauthn";
import { accountCsrf, addPasskey, authorizeParams, passkeySignIn, shardOfUser, userWithPasskey } from "./helpers";

/** Passkey events reach the audit trail through the shard's outbox (README "Audit trail"), with no key material. */
describe("passkey audit events", () => {
  it("registration, a use, a failed answer and a removal are recorded for the user", async () => {
    const { clientId } = await registerClient("public");
    const { user, auth, accountBrowser } = await userWithPasskey();
    await passkeySignIn(new TestBrowser(), (await authorizeParams(clientId)).params, auth, user.id);
    await passkeySignIn(new TestBrowser(), (await authorizeParams(clientId)).params, auth, user.id, { counter: 0 });
    const spare = await SoftAuthenticator.create();
    await addPasskey(accountBrowser, spare, "Spare");
    await accountBrowser.post("/account/passkeys", { csrf: await accountCsrf(accountBrowser), action: "remove", credential_id: spare.credentialId });

    await deliverAudit(await shardOfUser(user.id));
    const events = async () => (await env.DB.prepare("SELECT type, data FROM audit_log WHERE user_id = ? ORDER BY at, id").bind(user.id).all<{ type: string; data: string }>()).results;
    await vi.waitFor(async () => expect((await events()).map((e) => e.type)).toEqual(expect.arrayContaining(["passkey.registered", "passkey.used", "passkey.failure", "passkey.removed"])), { timeout: 5_000 });
    const used = (await events()).find((e) => e.type === "passkey.used")!;
    expect(JSON.parse(used.data)).toMatchObject({ credential_id: auth.credentialId, amr: ["hwk", "user", "mfa"] });
    expect(JSON.stringify(await events())).not.toMatch(/public_key|signature/);
  });
});
