import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient } from "../helpers/oidc";

type TokenBody = { access_token: string; refresh_token: string; error?: string };

let app: { clientId: string; auth: Record<string, string> };
beforeAll(async () => {
  const registered = await registerClient("confidential");
  app = { clientId: registered.clientId, auth: basic(registered.clientId, registered.secret!) };
});

describe("withdrawing consent (operator API)", () => {
  it("lists the consent, and withdrawing it ends the client's families and access tokens at their next use", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const issued = await issueCode(app.clientId, { user, browser });
    const tokens = await json<TokenBody>(await tokenRequest(redeemFields(issued), app.auth));
    const sub = decodeJwt(tokens.access_token).sub!;

    const listed = await json<{ consents: Array<{ client_id: string; scope: string }> }>(await admin("GET", `/users/${sub}/consents`));
    expect(listed.consents).toEqual([expect.objectContaining({ client_id: app.clientId, scope: "email offline_access openid profile" })]);

    const res = await admin("DELETE", `/users/${sub}/consents/${app.clientId}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ revoked: true, grants_revoked: 1 });

    const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, app.auth);
    expect((await json<TokenBody>(refresh)).error).toBe("invalid_grant");
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);

    // The live browser session is untouched, but the client must ask again.
    const again = await browser.get(
      authorizeUrl({ client_id: app.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s", nonce: "n" }),
    );
    expect(await again.text()).toMatch(/action="consent"/);

    expect((await admin("DELETE", `/users/${sub}/consents/${app.clientId}`)).status).toBe(404);
  });

  it("answers 404 for unknown users and malformed ids, never 500", async () => {
    expect((await admin("GET", "/users/nope/consents")).status).toBe(404);
    expect((await admin("GET", `/users/${"A".repeat(22)}/consents`)).status).toBe(404);
    const user = await createUser();
    expect((await admin("DELETE", `/users/${user.id}/consents/${encodeURIComponent("bad client!")}`)).status).toBe(404);
    expect((await admin("DELETE", `/users/${user.id}/consents/never-allowed`)).status).toBe(404);
  });
});
