import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { accessTokenHash } from "../../src/oauth/claims";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { call, json } from "../helpers/http";
import { registerClient, REDIRECT_URI } from "../helpers/oidc";

type TokenBody = { access_token?: string; id_token?: string; refresh_token?: string; error?: string; error_description?: string };

const userinfo = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });

describe("/token authorization_code (RFC 6749 §4.1.3)", () => {
  let app: { clientId: string; secret: string };
  let spa: { clientId: string };
  let auth: Record<string, string>;

  beforeAll(async () => {
    const registered = await registerClient("confidential");
    app = { clientId: registered.clientId, secret: registered.secret! };
    auth = basic(app.clientId, app.secret);
    spa = await registerClient("public");
  });

  it("issues tokens once; nonce and at_hash are right (OIDC Core §3.1.3.6)", async () => {
    const issued = await issueCode(app.clientId);
    const res = await tokenRequest(redeemFields(issued), auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await json<TokenBody>(res);
    const id = decodeJwt(body.id_token!);
    expect(id.nonce).toBe(issued.nonce);
    expect(id.at_hash).toBe(await accessTokenHash(body.access_token!));
    expect(decodeProtectedHeader(body.id_token!).alg).toBe("ES256");
  });

  it("code replay fails with invalid_grant and revokes the first redemption's tokens (RFC 6749 §4.1.2, RFC 9700 §4.5.3.1)", async () => {
    const issued = await issueCode(app.clientId);
    const first = await json<TokenBody>(await tokenRequest(redeemFields(issued), auth));
    expect((await userinfo(first.access_token!)).status).toBe(200);

    const replay = await tokenRequest(redeemFields(issued), auth);
    expect(replay.status).toBe(400);
    expect((await json<TokenBody>(replay)).error).toBe("invalid_grant");

    const after = await userinfo(first.access_token!);
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it("50 concurrent redemptions of one code: exactly one succeeds (RFC 6749 §4.1.2 single use)", async () => {
    const issued = await issueCode(app.clientId);
    const responses = await Promise.all(Array.from({ length: 50 }, () => tokenRequest(redeemFields(issued), auth)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(49);
    const errors = await Promise.all(responses.filter((r) => r.status === 400).map((r) => json<TokenBody>(r)));
    expect(new Set(errors.map((e) => e.error))).toEqual(new Set(["invalid_grant"]));
  });

  describe("PKCE (RFC 7636 §4.6, RFC 9700 §2.1.1)", () => {
    it("a public client must send the verifier", async () => {
      const issued = await issueCode(spa.clientId);
      const { code_verifier: _omit, ...fields } = redeemFields(issued, { client_id: spa.clientId });
      const res = await tokenRequest(fields);
      expect(res.status).toBe(400);
      expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
    });

    it("a wrong verifier is invalid_grant, and the right one still works afterwards", async () => {
      const issued = await issueCode(spa.clientId);
      const wrong = await tokenRequest(redeemFields(issued, { client_id: spa.clientId, code_verifier: "x".repeat(43) }));
      expect(wrong.status).toBe(400);
      expect((await json<TokenBody>(wrong)).error).toBe("invalid_grant");
      const right = await tokenRequest(redeemFields(issued, { client_id: spa.clientId }));
      expect(right.status).toBe(200);
    });

    it("a malformed verifier is invalid_request (§4.1: 43-128 unreserved characters)", async () => {
      const issued = await issueCode(spa.clientId);
      const res = await tokenRequest(redeemFields(issued, { client_id: spa.clientId, code_verifier: "short" }));
      expect(res.status).toBe(400);
      expect((await json<TokenBody>(res)).error).toBe("invalid_request");
    });

    it("a verifier for a code issued without a challenge is refused (downgrade, RFC 9700 §2.1.1)", async () => {
      const issued = await issueCode(app.clientId, { pkce: false });
      const res = await tokenRequest(redeemFields(issued), auth);
      expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
    });

    it("a public client's authorization request without code_challenge is refused at /authorize", async () => {
      await expect(issueCode(spa.clientId, { pkce: false })).rejects.toThrow(/no code/);
    });
  });

  it("the redirect_uri must be the one of the authorization request (§4.1.3)", async () => {
    const issued = await issueCode(app.clientId);
    const res = await tokenRequest(redeemFields(issued, { redirect_uri: "http://127.0.0.1:3000/callback" }), auth);
    expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
  });

  it("a code issued to another client is invalid_grant (§4.1.3)", async () => {
    const other = await registerClient("confidential");
    const issued = await issueCode(app.clientId);
    const res = await tokenRequest(redeemFields(issued), basic(other.clientId, other.secret!));
    expect((await json<TokenBody>(res)).error).toBe("invalid_grant");
  });

  it("without offline_access there is no refresh token", async () => {
    const issued = await issueCode(app.clientId, { scope: "openid email" });
    const body = await json<TokenBody & { scope: string }>(await tokenRequest(redeemFields(issued), auth));
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe("openid email");
  });

  it("signs ID tokens with RS256 for a client registered for it", async () => {
    const rs = await registerClient("confidential", { id_token_signed_response_alg: "RS256" });
    const issued = await issueCode(rs.clientId);
    const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), basic(rs.clientId, rs.secret!)));
    expect(decodeProtectedHeader(body.id_token!).alg).toBe("RS256");
    expect(decodeProtectedHeader(body.access_token!).alg).toBe("ES256");
  });
});

describe("/token errors (RFC 6749 §5.2)", () => {
  let app: { clientId: string; secret: string };
  beforeAll(async () => {
    const registered = await registerClient("confidential");
    app = { clientId: registered.clientId, secret: registered.secret! };
  });

  it("a wrong secret is invalid_client 401 with WWW-Authenticate", async () => {
    const res = await tokenRequest({ grant_type: "authorization_code", code: "c.1.x", redirect_uri: REDIRECT_URI }, basic(app.clientId, "wrong"));
    expect(res.status).toBe(401);
    expect((await json<TokenBody>(res)).error).toBe("invalid_client");
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic /);
  });

  it.each([
    ["missing grant_type", { code: "c.1.x" }, 400, "invalid_request"],
    ["unknown grant_type", { grant_type: "password" }, 400, "unsupported_grant_type"],
    ["missing code", { grant_type: "authorization_code", redirect_uri: REDIRECT_URI }, 400, "invalid_request"],
    ["missing redirect_uri", { grant_type: "authorization_code", code: "c.1.abc" }, 400, "invalid_request"],
    ["a code that is not ours", { grant_type: "authorization_code", code: "not-a-code", redirect_uri: REDIRECT_URI }, 400, "invalid_grant"],
    ["an unknown code", { grant_type: "authorization_code", code: `c.7.${"A".repeat(43)}`, redirect_uri: REDIRECT_URI }, 400, "invalid_grant"],
  ])("%s → %s %s", async (_label, fields, status, error) => {
    const res = await tokenRequest(fields as Record<string, string>, basic(app.clientId, app.secret));
    expect(res.status).toBe(status);
    expect((await json<TokenBody>(res)).error).toBe(error);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("a repeated parameter is invalid_request (§3.2)", async () => {
    const res = await call("/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...basic(app.clientId, app.secret) },
      body: "grant_type=authorization_code&code=a&code=b&redirect_uri=x",
    });
    expect(res.status).toBe(400);
    expect((await json<TokenBody>(res)).error).toBe("invalid_request");
  });

  it("a JSON body is invalid_request; an oversized body is refused with 413", async () => {
    const jsonBody = await call("/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(jsonBody.status).toBe(400);
    expect((await json<TokenBody>(jsonBody)).error).toBe("invalid_request");
    const big = await tokenRequest({ grant_type: "authorization_code", code: "x".repeat(40_000) });
    expect(big.status).toBe(413);
  });

  it("GET /token is not an endpoint", async () => {
    const res = await call("/token");
    expect(res.status).toBe(404);
  });
});

describe("/userinfo (OIDC Core §5.3, RFC 6750 §3)", () => {
  it("without a token: 401 with a bare Bearer challenge", async () => {
    const res = await call("/userinfo");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="authshard"');
  });

  it("a forged or malformed token is invalid_token 401", async () => {
    for (const token of ["abc", "e30.e30.sig", "a.b"]) {
      const res = await userinfo(token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    }
  });

  it("an ID token is not an access token", async () => {
    const registered = await registerClient("confidential");
    const issued = await issueCode(registered.clientId);
    const body = await json<TokenBody>(await tokenRequest(redeemFields(issued), basic(registered.clientId, registered.secret!)));
    expect((await userinfo(body.id_token!)).status).toBe(401);
    const post = await call("/userinfo", { method: "POST", headers: { Authorization: `Bearer ${body.access_token}` } });
    expect(post.status).toBe(200);
    expect(await json(post)).toMatchObject({ sub: decodeJwt(body.access_token!).sub });
  });
});
