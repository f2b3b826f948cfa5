import { env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { archivedFor, deliverAudit } from "../helpers/audit";
import { hiddenField, TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { authorizeUrl, createUser, REDIRECT_URI, registerClient } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";

type Tokens = { access_token: string; refresh_token: string; id_token: string };

/** Every lifecycle event reaches the audit archive through the shard outbox and the audit queue's consumer, once. */
describe("audit events through the outbox", () => {
  it("records login failure and success, consent, issuance, reuse, family revocation, consent withdrawal and logout", async () => {
    const registered = await registerClient("confidential", { post_logout_redirect_uris: ["http://localhost:3000/bye"] });
    const auth = basic(registered.clientId, registered.secret!);
    const user = await createUser();
    const browser = new TestBrowser();

    const page = await (await browser.get(authorizeUrl({ client_id: registered.clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid offline_access", state: "s", nonce: "n" }))).text();
    await browser.post("/login", { interaction: hiddenField(page, "interaction"), email: user.email, password: "wrong password" });
    const issued = await issueCode(registered.clientId, { user, browser });
    const tokens = await json<Tokens>(await tokenRequest(redeemFields(issued), auth));
    const rotated = await json<Tokens>(await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth));
    expect(rotated.refresh_token).toBeTypeOf("string");
    await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, auth); // reuse → family revoked
    const sub = decodeJwt(tokens.access_token).sub!;
    expect((await admin("DELETE", `/users/${sub}/consents/${registered.clientId}`)).status).toBe(200);
    const logout = await browser.get(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://localhost:3000/bye" })}`);
    expect(logout.status).toBe(302);

    const shard = shardOf(await currentDirectoryMap(), bucketOf(sub));
    await deliverAudit(shard);
    await deliverAudit(shard); // a second delivery sends nothing twice
    // The archive holds every event (the D1 window leaves out token.issued by default).
    // Each event once by id (the shard's own alarm may have delivered some of them too).
    const events = new Map((await archivedFor(sub)).map((r) => [r.id, r]));
    const types = [...events.values()].sort((a, b) => a.at - b.at).map((r) => r.type);
    for (const type of ["user.created", "login.failure", "login.success", "consent.granted", "token.issued", "refresh.reuse_detected", "family.revoked", "consent.revoked", "logout"]) {
      expect(types, type).toContain(type);
    }
    expect(types.filter((t) => t === "token.issued")).toHaveLength(2); // the code redemption and the one rotation
    expect(types.filter((t) => t === "login.success")).toHaveLength(1);
  });
});
