import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenField, redirectParams, TestBrowser } from "../helpers/browser";
import { call, json } from "../helpers/http";
import { authorizeUrl, createUser, discover, REDIRECT_URI, registerClient, rp } from "../helpers/oidc";

/**
 * The claims request parameter (OIDC Core §5.5) as a relying party uses it:
 * individual claims asked for the ID token and for /userinfo, kept across a
 * refresh, validated, and acr requests (§5.5.1.1) answered as documented.
 */
let as: oauth.AuthorizationServer;
let client: oauth.Client;
let auth: oauth.ClientAuth;

beforeAll(async () => {
  as = await discover();
  const registered = await registerClient("confidential");
  client = { client_id: registered.clientId };
  auth = oauth.ClientSecretBasic(registered.secret!);
});

function params(scope: string, claims: unknown, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope,
    state: "st",
    nonce: "n-0S6_WzA2Mj",
    claims: typeof claims === "string" ? claims : JSON.stringify(claims),
    ...extra,
  };
}

/** Sign-in through the pages; returns the consent page's HTML (if shown) and the authorization response. */
async function signInWith(request: Record<string, string>, browser = new TestBrowser(), known?: Awaited<ReturnType<typeof createUser>>) {
  const user = known ?? (await createUser());
  let res = await browser.get(authorizeUrl(request));
  const login = await res.text();
  res = await browser.post("/login", { interaction: hiddenField(login, "interaction"), email: user.email, password: user.password });
  let consentPage: string | null = null;
  if (res.status === 200) {
    consentPage = await res.text();
    res = await browser.post("/consent", { interaction: hiddenField(consentPage, "interaction"), decision: "allow" });
  }
  return { user, consentPage, callback: redirectParams(res) };
}

async function tokensFor(callback: URLSearchParams) {
  const validated = oauth.validateAuthResponse(as, client, callback, "st");
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, validated, REDIRECT_URI, oauth.nopkce, rp);
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: "n-0S6_WzA2Mj", requireIdToken: true });
}

const userinfo = async (accessToken: string) => json<Record<string, unknown>>(await call("/userinfo", { headers: { Authorization: `Bearer ${accessToken}` } }));

describe("claims parameter (OIDC Core §5.5)", () => {
  it("discovery says it is supported (OIDC Discovery §3 claims_parameter_supported)", () => {
    expect(as.claims_parameter_supported).toBe(true);
    expect(as.acr_values_supported).toEqual(["1", "urn:authshard:acr:mfa"]);
  });

  it("§5.5: email asked for in id_token without the email scope is in the ID token, and the consent page names it", async () => {
    const { user, consentPage, callback } = await signInWith(params("openid", { id_token: { email: { essential: true }, email_verified: null } }));
    expect(consentPage).toContain("See your email address");
    const tokens = await tokensFor(callback);
    const id = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(id.email).toBe(user.email);
    expect(id.email_verified).toBe(false);
    expect(id.name).toBeUndefined();
    // The userinfo member was not used and the scope is only openid: /userinfo keeps to sub.
    expect(await userinfo(tokens.access_token)).toEqual({ sub: user.id });
  });

  it("§5.5: the userinfo member is honoured at /userinfo, and still after a refresh (RFC 6749 §6)", async () => {
    const { user, callback } = await signInWith(params("openid offline_access", { userinfo: { name: null, family_name: { essential: true } }, id_token: { given_name: null } }));
    const tokens = await tokensFor(callback);
    expect(oauth.getValidatedIdTokenClaims(tokens)!.given_name).toBe("Ada");
    expect(oauth.getValidatedIdTokenClaims(tokens)!.name).toBeUndefined();
    expect(await userinfo(tokens.access_token)).toEqual({ sub: user.id, name: "Ada Lovelace", family_name: "Lovelace" });

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, rp));
    expect(await userinfo(refreshed.access_token)).toEqual({ sub: user.id, name: "Ada Lovelace", family_name: "Lovelace" });
    expect(oauth.getValidatedIdTokenClaims(refreshed)!.given_name).toBe("Ada");
  });

  it("§5.5: claims this provider does not know are ignored", async () => {
    const { user, callback } = await signInWith(params("openid", { userinfo: { "https://example.com/shoe_size": null, email: null }, whatever: {} }));
    const tokens = await tokensFor(callback);
    expect(await userinfo(tokens.access_token)).toEqual({ sub: user.id, email: user.email });
  });

  it.each([
    ["not JSON", "{email"],
    ["a JSON array", "[]"],
    ["a member that is not an object", { userinfo: "email" }],
    ["essential that is not a boolean", { id_token: { email: { essential: "yes" } } }],
    ["values that is not an array", { id_token: { email: { values: "a" } } }],
    ["acr values that are not strings", { id_token: { acr: { values: [2] } } }],
    ["over 2048 characters", { userinfo: { email: { value: "x".repeat(3000) } } }],
  ])("§5.5: a claims parameter that is %s is invalid_request at the redirect URI, never a 500", async (_label, claims) => {
    const res = await new TestBrowser().get(authorizeUrl(params("openid", claims)));
    expect(res.status).toBe(302);
    const error = redirectParams(res);
    expect(error.get("error")).toBe("invalid_request");
    expect(error.get("error_description")).toMatch(/claims/);
    expect(error.get("state")).toBe("st");
  });

  it("§5.5.1.1: an essential acr the provider cannot meet fails with unmet_authentication_requirements before sign-in", async () => {
    const res = await new TestBrowser().get(authorizeUrl(params("openid", { id_token: { acr: { essential: true, values: ["urn:mace:incommon:iap:silver"] } } })));
    expect(res.status).toBe(302);
    expect(redirectParams(res).get("error")).toBe("unmet_authentication_requirements");
    const single = await new TestBrowser().get(authorizeUrl(params("openid", { id_token: { acr: { essential: true, value: "phr" } } })));
    expect(redirectParams(single).get("error")).toBe("unmet_authentication_requirements");
  });

  it("§5.5.1.1: a voluntary acr request, or an essential one including acr 1, signs in and the ID token says acr 1", async () => {
    for (const acr of [{ values: ["urn:mace:incommon:iap:silver"] }, { essential: true, values: ["phr", "1"] }]) {
      const { callback } = await signInWith(params("openid", { id_token: { acr } }));
      expect(oauth.getValidatedIdTokenClaims(await tokensFor(callback))!.acr).toBe("1");
    }
  });

  it("§5.5.1: sub asked for with a value gets a positive answer only for that user; another signed-in user gets login_required", async () => {
    const user = await createUser();
    const browser = new TestBrowser();
    const { callback } = await signInWith(params("openid", { id_token: { sub: { value: user.id } } }), browser, user);
    expect(oauth.getValidatedIdTokenClaims(await tokensFor(callback))!.sub).toBe(user.id);
    // Same browser, same live session and consent: a request naming someone else is refused, no code.
    const other = await browser.get(authorizeUrl(params("openid", { id_token: { sub: { value: "AAAAAAAAAAAAAAAAAAAAAA" } } })));
    expect(other.status).toBe(302);
    const answer = redirectParams(other);
    expect(answer.get("error")).toBe("login_required");
    expect(answer.get("code")).toBeNull();
    const bad = await browser.get(authorizeUrl(params("openid", { id_token: { sub: { value: 42 } } })));
    expect(redirectParams(bad).get("error")).toBe("invalid_request");
  });
});
