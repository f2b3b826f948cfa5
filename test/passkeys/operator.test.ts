import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { deliverAudit } from "../helpers/audit";
import { TestBrowser } from "../helpers/browser";
import { admin, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { authorizeParams, passkeySignIn, shardOfUser, userWithPasskey } from "./helpers";

/** The operator API for passkeys (README "Passkeys (WebAuthn)"): list without key material, remove a lost one. */
describe("passkeys in the operator API", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("lists a user's passkeys and removes one; the removed passkey no longer signs in; the removal is audited", async () => {
    const { user, auth } = await userWithPasskey();
    const listed = await json<{ passkeys: Record<string, unknown>[] }>(await admin("GET", `/users/${user.id}/passkeys`));
    expect(listed.passkeys).toEqual([expect.objectContaining({ credential_id: auth.credentialId, name: "Test key", backed_up: false, last_used_at: null })]);
    expect(JSON.stringify(listed)).not.toMatch(/public_?key|counter/i);

    const removed = await admin("DELETE", `/users/${user.id}/passkeys/${auth.credentialId}`);
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ removed: true, passkeys_left: 0 });
    expect((await admin("DELETE", `/users/${user.id}/passkeys/${auth.credentialId}`)).status).toBe(404);
    const { res } = await passkeySignIn(new TestBrowser(), (await authorizeParams(clientId)).params, auth, user.id);
    expect(res.status).toBe(401);

    await deliverAudit(await shardOfUser(user.id));
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT data FROM audit_log WHERE user_id = ? AND type = 'passkey.removed'").bind(user.id).first<{ data: string }>();
      expect(JSON.parse(row!.data)).toMatchObject({ credential_id: auth.credentialId, initiator: "operator" });
    });
  });

  it("an unknown user or malformed id is 404, and the token is required", async () => {
    expect((await admin("GET", "/users/AAAAAAAAAAAAAAAAAAAAAA/passkeys")).status).toBe(404);
    expect((await admin("DELETE", "/users/AAAAAAAAAAAAAAAAAAAAAA/passkeys/abc")).status).toBe(404);
    expect((await admin("DELETE", "/users/AAAAAAAAAAAAAAAAAAAAAA/passkeys/a%20b")).status).toBe(404);
    expect((await admin("GET", "/users/x/passkeys", undefined, { Authorization: "Bearer wrong" })).status).toBe(401);
  });
});
