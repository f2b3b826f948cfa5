import { describe, expect, it } from "vitest";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";

type TokenBody = { refresh_token?: string; error?: string };

/**
 * Resetting a user's credentials from the operator API (README "Operator API and CLI"):
 * PUT /admin/users/:id/password sets a new password, and whoever held the old one is
 * signed out everywhere — the next refresh of an existing family fails (RFC 6749 §5.2).
 */
describe("PUT /admin/users/:id/password", () => {
  it("the new password works, the old one does not, and every session and refresh family of the user ends", async () => {
    const client = await registerClient("confidential");
    const user = await createUser();
    const tokens = await json<TokenBody>(await tokenRequest(redeemFields(await issueCode(client.clientId, { user })), basic(client.clientId, client.secret!)));

    const res = await admin("PUT", `/users/${user.id}/password`, { password: "a brand new passphrase" });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ user: { id: user.id }, sessions_ended: 1 });

    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: user.password }))).toEqual({ valid: false });
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: "a brand new passphrase" }))).toMatchObject({ valid: true });
    const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! }, basic(client.clientId, client.secret!));
    expect(refreshed.status).toBe(400);
    expect((await json<TokenBody>(refreshed)).error).toBe("invalid_grant");
  });

  it("bad input is a 400 and changes nothing; an unknown user is 404", async () => {
    const user = await createUser();
    for (const body of [{ password: "short" }, { password: 12345678 }, {}, { password: "long enough", extra: 1 }]) {
      expect((await admin("PUT", `/users/${user.id}/password`, body)).status).toBe(400);
    }
    expect(await json(await admin("POST", "/users/password-check", { email: user.email, password: user.password }))).toMatchObject({ valid: true });
    expect((await admin("PUT", "/users/AAAAAAAAAAAAAAAAAAAAAA/password", { password: "long enough" })).status).toBe(404);
  });
});
