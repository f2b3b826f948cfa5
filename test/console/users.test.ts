import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { deliverAudit } from "../helpers/audit";
import type { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { shardOfUser, userWithPasskey } from "../passkeys/helpers";
import { consoleSignIn, csrfOf, operatorUser } from "./helpers";

type TokenBody = { refresh_token?: string; error?: string };

/**
 * The console's user page (README "Admin console"): passkeys, roles and groups and the
 * directory link as the operator API shows them; removing a passkey and enabling a
 * disabled user, each one CSRF-protected operator API request.
 */
describe("console user page", () => {
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = (await consoleSignIn(await operatorUser("admin"))).browser;
  });

  const page = async (path: string) => {
    const res = await browser.get(path);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("lists the passkey and roles made through the API, and removes the passkey (audited)", async () => {
    const { user, auth } = await userWithPasskey();
    const role = `auditor-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("PUT", `/roles/${role}`, { permissions: ["audit:read"] })).status).toBe(200);
    expect((await admin("PUT", `/users/${user.id}/access`, { roles: [role], attributes: { department: "finance" } })).status).toBe(200);
    const html = await page(`/admin/console/users/${user.id}`);
    expect(html).toContain("Test key");
    expect(html).toContain(auth.credentialId);
    expect(html).toContain(role);
    expect(html).toContain("department=finance");
    expect(html).toContain("Not a directory user.");

    const refused = await browser.post(`/admin/console/users/${user.id}`, { action: "remove_passkey", credential_id: auth.credentialId });
    expect(refused.status).toBe(403);
    expect((await json<{ passkeys: unknown[] }>(await admin("GET", `/users/${user.id}/passkeys`))).passkeys).toHaveLength(1);

    const removed = await browser.post(`/admin/console/users/${user.id}`, { csrf: csrfOf(html), action: "remove_passkey", credential_id: auth.credentialId });
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain("Passkey removed");
    expect((await json<{ passkeys: unknown[] }>(await admin("GET", `/users/${user.id}/passkeys`))).passkeys).toEqual([]);
    await deliverAudit(await shardOfUser(user.id));
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT data FROM audit_log WHERE user_id = ? AND type = 'passkey.removed'").bind(user.id).first<{ data: string }>();
      expect(JSON.parse(row!.data)).toMatchObject({ credential_id: auth.credentialId, initiator: "operator" });
    });
  });

  it("enables a disabled user: sign-in and refresh work again; the change is audited; without CSRF nothing changes", async () => {
    const registered = await registerClient("confidential");
    const user = await createUser();
    const csrf = csrfOf(await page(`/admin/console/users/${user.id}`));
    expect((await browser.post(`/admin/console/users/${user.id}`, { csrf, action: "disable" })).status).toBe(200);
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: user.password }))).toEqual({ valid: false });
    const disabledPage = await page(`/admin/console/users/${user.id}`);
    expect(disabledPage).toContain("Enable user");

    expect((await browser.post(`/admin/console/users/${user.id}`, { action: "enable" })).status).toBe(403);
    expect((await json<{ user: { disabled: boolean } }>(await admin("GET", `/users/${user.id}`))).user.disabled).toBe(true);

    const enabled = await browser.post(`/admin/console/users/${user.id}`, { csrf: csrfOf(disabledPage), action: "enable" });
    expect(enabled.status).toBe(200);
    const html = await enabled.text();
    expect(html).toContain("User enabled");
    expect(html).toContain('id="user-status">active<');

    const issued = await issueCode(registered.clientId, { user });
    const tokens = await json<TokenBody>(await tokenRequest(redeemFields(issued), basic(registered.clientId, registered.secret!)));
    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, basic(registered.clientId, registered.secret!));
    expect(refreshed.status).toBe(200);

    const { events } = await json<{ events: { type: string; data: Record<string, unknown> }[] }>(await admin("GET", `/audit?user=${user.id}`));
    expect(events.find((e) => e.type === "admin.change" && e.data.path === `/admin/users/${user.id}/enable`)?.data).toMatchObject({ method: "POST", status: 200 });
    await deliverAudit(await shardOfUser(user.id));
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT data FROM audit_log WHERE user_id = ? AND type = 'user.enabled'").bind(user.id).first<{ data: string }>();
      expect(JSON.parse(row!.data)).toMatchObject({ method: "operator" });
    });
  });

  it("resets credentials with a new password: the old one stops working and the user's refresh family ends; a short one is refused", async () => {
    const registered = await registerClient("confidential");
    const user = await createUser();
    const issued = await issueCode(registered.clientId, { user });
    const tokens = await json<TokenBody>(await tokenRequest(redeemFields(issued), basic(registered.clientId, registered.secret!)));
    const html = await page(`/admin/console/users/${user.id}`);
    expect(html).toContain('id="set-password"');

    const short = await browser.post(`/admin/console/users/${user.id}`, { csrf: csrfOf(html), action: "set_password", password: "short" });
    expect(short.status).toBe(400);
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: user.password }))).toMatchObject({ valid: true });

    const set = await browser.post(`/admin/console/users/${user.id}`, { csrf: csrfOf(html), action: "set_password", password: "console chosen passphrase" });
    expect(set.status).toBe(200);
    expect(await set.text()).toContain("New password set");
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: user.password }))).toEqual({ valid: false });
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: "console chosen passphrase" }))).toMatchObject({ valid: true });
    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, basic(registered.clientId, registered.secret!));
    expect((await json<TokenBody>(refreshed)).error).toBe("invalid_grant"); // RFC 6749 §5.2
  });

  it("the operator API: enabling an active user changes nothing; an unknown user is 404", async () => {
    const user = await createUser();
    const res = await admin("POST", `/users/${user.id}/enable`);
    expect(res.status).toBe(200);
    expect((await json<{ user: { disabled: boolean } }>(res)).user.disabled).toBe(false);
    expect((await admin("POST", "/users/AAAAAAAAAAAAAAAAAAAAAA/enable")).status).toBe(404);
    expect((await admin("POST", "/users/x/enable")).status).toBe(404);
  });
});
