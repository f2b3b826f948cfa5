import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { TestBrowser } from "../helpers/browser";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";

type Tokens = { id_token: string; access_token: string };

/** Every src of the page's logout iframes. */
function frames(html: string): string[] {
  return [...html.matchAll(/<iframe class="logout" src="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
}

/** OpenID Connect Front-Channel Logout 1.0. */
describe("front-channel logout", () => {
  it("the logout page frames each client of the session that registered a URI, with iss and sid when asked (§3), then continues to the RP", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const withSid = await registerClient("confidential", { frontchannel_logout_uri: "http://localhost:3000/fc?app=a", frontchannel_logout_session_required: true, post_logout_redirect_uris: ["http://localhost:3000/bye"] });
    const plain = await registerClient("confidential", { frontchannel_logout_uri: "http://localhost:3000/fc-b" });
    const none = await registerClient("confidential");
    const tokens: Tokens[] = [];
    for (const c of [withSid, plain, none]) tokens.push(await json<Tokens>(await tokenRequest(redeemFields(await issueCode(c.clientId, { user, browser })), basic(c.clientId, c.secret!))));
    const sid = decodeJwt(tokens[0]!.id_token).sid as string;

    const res = await browser.get(`/logout?${new URLSearchParams({ id_token_hint: tokens[0]!.id_token, post_logout_redirect_uri: "http://localhost:3000/bye", state: "s1" })}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(frames(html).sort()).toEqual([`http://localhost:3000/fc-b`, `http://localhost:3000/fc?app=a&iss=${encodeURIComponent(ORIGIN)}&sid=${sid}`].sort());
    expect(html).toContain('<a id="next" href="http://localhost:3000/bye?state=s1">');
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-src http://localhost:3000");
    expect(csp).toContain("frame-ancestors 'none'");
    // The session ended before the page was served.
    expect((await call("/userinfo", { headers: { Authorization: `Bearer ${tokens[2]!.access_token}` } })).status).toBe(401);
  });

  it("without front-channel clients, logout still redirects straight to the RP", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const c = await registerClient("confidential", { post_logout_redirect_uris: ["http://localhost:3000/bye"] });
    const tokens = await json<Tokens>(await tokenRequest(redeemFields(await issueCode(c.clientId, { user, browser })), basic(c.clientId, c.secret!)));
    const res = await browser.get(`/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: "http://localhost:3000/bye" })}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("content-security-policy") ?? "").not.toContain("frame-src");
  });

  it("discovery advertises it", async () => {
    expect(await json(await call("/.well-known/openid-configuration"))).toMatchObject({ frontchannel_logout_supported: true, frontchannel_logout_session_supported: true });
  });
});
