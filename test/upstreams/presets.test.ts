import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/federation/presets";
import { admin, call, json } from "../helpers/http";

/**
 * Upstream providers through the operator API (README "Sign in with other providers
 * (federation)"): each preset's endpoints, scopes and claim mapping as stored, a generic
 * OpenID provider's endpoints from its discovery document (OpenID Connect Discovery 1.0 §4),
 * and the client secret kept sealed — never in an answer. The presets are verified here by
 * configuration only; the sign-in itself is proven against real local upstreams in
 * test/federation (Node project).
 */
interface UpstreamView {
  id: string;
  preset: string;
  kind: string;
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string | null;
  emailsEndpoint: string | null;
  jwksUri: string | null;
  scope: string;
  claim_mapping: Record<string, string | null>;
  client_secret_set: boolean;
  linkPolicy: string;
  showOnLogin: boolean;
}

async function put(id: string, body: Record<string, unknown>) {
  return admin("PUT", `/upstreams/${id}`, body);
}

describe("operator API: upstream provider presets", () => {
  const expected: Record<string, { kind: string; issuer: string | null; token: string; scope: string; subject: string; emailVerified: string | null }> = {
    google: { kind: "oidc", issuer: "https://accounts.google.com", token: "https://oauth2.googleapis.com/token", scope: "openid email profile", subject: "sub", emailVerified: "email_verified" },
    apple: { kind: "oidc", issuer: "https://appleid.apple.com", token: "https://appleid.apple.com/auth/token", scope: "openid email name", subject: "sub", emailVerified: "email_verified" },
    microsoft: { kind: "oidc", issuer: "https://login.microsoftonline.com/{tenantid}/v2.0", token: "https://login.microsoftonline.com/common/oauth2/v2.0/token", scope: "openid email profile", subject: "sub", emailVerified: null },
    github: { kind: "oauth2", issuer: null, token: "https://github.com/login/oauth/access_token", scope: "read:user user:email", subject: "id", emailVerified: null },
    facebook: { kind: "oauth2", issuer: null, token: "https://graph.facebook.com/v19.0/oauth/access_token", scope: "email public_profile", subject: "id", emailVerified: null },
    x: { kind: "oauth2", issuer: null, token: "https://api.x.com/2/oauth2/token", scope: "users.read tweet.read", subject: "data.id", emailVerified: null },
    linkedin: { kind: "oidc", issuer: "https://www.linkedin.com/oauth", token: "https://www.linkedin.com/oauth/v2/accessToken", scope: "openid profile email", subject: "sub", emailVerified: "email_verified" },
  };

  for (const [preset, want] of Object.entries(expected)) {
    it(`${preset}: endpoints, scopes and claim mapping from the preset; the secret sealed and never shown`, async () => {
      const res = await put(`p-${preset}`, { preset, client_id: `${preset}-client`, client_secret: `${preset}-secret-value` });
      expect(res.status).toBe(201);
      const body = await res.text();
      expect(body).not.toContain(`${preset}-secret-value`);
      const { upstream } = JSON.parse(body) as { upstream: UpstreamView };
      expect(upstream).toMatchObject({ preset, kind: want.kind, issuer: want.issuer, tokenEndpoint: want.token, scope: want.scope, client_secret_set: true, linkPolicy: "never", showOnLogin: true });
      expect(upstream.claim_mapping.subject).toBe(want.subject);
      expect(upstream.claim_mapping.emailVerified).toBe(want.emailVerified);
      expect(upstream.authorizationEndpoint).toMatch(/^https:\/\//);
      if (want.kind === "oidc") expect(upstream.jwksUri).toMatch(/^https:\/\//);
      else expect(upstream.userinfoEndpoint).toMatch(/^https:\/\//);
      const listed = await (await admin("GET", "/upstreams")).text();
      expect(listed).not.toContain(`${preset}-secret-value`);
    });
  }

  it("GitHub reads the verified primary email from its emails API", async () => {
    const { upstream } = await json<{ upstream: UpstreamView }>(await put("p-github-emails", { preset: "github", client_id: "gh" }));
    expect(upstream.emailsEndpoint).toBe(PRESETS.github.emailsEndpoint);
  });

  it("a generic OpenID provider takes its endpoints from the issuer's discovery document", async () => {
    const issuer = "https://upstream.example/issuer/disc-1";
    const res = await put("p-generic", { preset: "oidc", issuer, client_id: "generic", client_secret: "s3cret-generic", display_name: "Acme ID", claim_mapping: { name: "nickname" } });
    expect(res.status).toBe(201);
    const { upstream } = await json<{ upstream: UpstreamView }>(res);
    expect(upstream).toMatchObject({ issuer, authorizationEndpoint: `${issuer}/authorize`, tokenEndpoint: `${issuer}/token`, jwksUri: `${issuer}/jwks`, userinfoEndpoint: `${issuer}/userinfo` });
    expect(upstream.claim_mapping).toMatchObject({ subject: "sub", name: "nickname", email: "email" });
  });

  it("refuses what cannot work, naming the field, and stores nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ preset: "nope", client_id: "x" }, /preset/],
      [{ preset: "oidc", client_id: "x" }, /issuer/],
      [{ preset: "oidc", client_id: "x", issuer: "https://upstream.example/issuer-missing" }, /discovery/],
      [{ preset: "oauth2", client_id: "x", authorization_endpoint: "https://a.example/auth", token_endpoint: "https://a.example/token" }, /userinfo_endpoint/],
      [{ preset: "google", client_id: "x", token_endpoint: "http://evil.example/token" }, /https/],
      [{ preset: "google", client_id: "x", link_policy: "always" }, /link_policy/],
    ];
    for (const [body, message] of cases) {
      const res = await put("p-refused", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toMatch(message);
    }
    expect((await admin("GET", "/upstreams/p-refused")).status).toBe(404);
  });

  it("a PUT without client_secret keeps the sealed one; DELETE removes the provider from the login page", async () => {
    await put("p-keep", { preset: "google", client_id: "keep", client_secret: "first" });
    const { upstream } = await json<{ upstream: UpstreamView }>(await put("p-keep", { preset: "google", client_id: "keep", show_on_login: false }));
    expect(upstream.client_secret_set).toBe(true);
    expect(upstream.showOnLogin).toBe(false);
    expect((await admin("DELETE", "/upstreams/p-keep")).status).toBe(204);
    expect((await admin("DELETE", "/upstreams/p-keep")).status).toBe(404);
  });

  it("the operator API needs the admin token", async () => {
    expect((await call("/admin/upstreams")).status).toBe(401);
  });
});

describe("preset rules", () => {
  it("Microsoft's multi-tenant issuer is the token's own tenant, and only a well-formed one", async () => {
    const { expectedIssuer } = await import("../../src/federation/presets");
    const tid = "9188040d-6c67-4c5b-b112-36a304b66dad";
    expect(expectedIssuer(PRESETS.microsoft.issuer, { tid })).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
    expect(expectedIssuer(PRESETS.microsoft.issuer, { tid: "../evil" })).toBeNull();
    expect(expectedIssuer(PRESETS.microsoft.issuer, {})).toBeNull();
    expect(expectedIssuer("https://accounts.google.com", { tid })).toBe("https://accounts.google.com");
  });

  it("claims are found by member name or dotted path (X answers { data: { id } })", async () => {
    const { claimAt } = await import("../../src/federation/presets");
    expect(claimAt({ data: { id: "42", name: "Ex" } }, PRESETS.x.claimMapping.subject)).toBe("42");
    expect(claimAt({ sub: "s" }, "sub")).toBe("s");
    expect(claimAt({ data: null }, "data.id")).toBeUndefined();
    expect(claimAt({ sub: "s" }, null)).toBeUndefined();
  });
});
