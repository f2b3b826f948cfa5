import * as oauth from "oauth4webapi";
import { admin, call, json, ORIGIN } from "./http";
import { hiddenField, redirectParams, TestBrowser } from "./browser";

export const REDIRECT_URI = "http://localhost:3000/callback";

/** oauth4webapi talks to the worker's fetch handler; loopback http is allowed for the local issuer. */
export const rp = {
  [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<string, unknown>) => call(url, options as RequestInit),
  [oauth.allowInsecureRequests]: true,
} as const;

export async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(ORIGIN);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...rp, algorithm: "oidc" }));
}

let seq = 0;
/** A fresh client registered through the operator API; returns its id and (if confidential) secret. */
export async function registerClient(
  type: "confidential" | "public",
  extra: Record<string, unknown> = {},
): Promise<{ clientId: string; secret: string | undefined }> {
  const clientId = `rp-${type}-${++seq}-${crypto.randomUUID().slice(0, 8)}`;
  const res = await admin("PUT", `/clients/${clientId}`, {
    client_name: `Test ${type} app`,
    client_type: type,
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    scope: "openid profile email offline_access",
    ...extra,
  });
  if (res.status !== 201) throw new Error(`client registration failed: ${res.status} ${await res.text()}`);
  const body = await json<{ client_secret?: string }>(res);
  return { clientId, secret: body.client_secret };
}

/** A fresh user through the operator API. */
export async function createUser(password = "correct horse battery staple"): Promise<{ id: string; email: string; password: string }> {
  const email = `user-${crypto.randomUUID().slice(0, 12)}@example.com`;
  const res = await admin("POST", "/users", { email, password, name: "Ada Lovelace", given_name: "Ada", family_name: "Lovelace" });
  if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${await res.text()}`);
  const { user } = await json<{ user: { id: string } }>(res);
  return { id: user.id, email, password };
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/authorize?${new URLSearchParams(params)}`;
}

/**
 * Drives the pages as a person would: authorize → login form → (consent) → the
 * redirect back to the client. Returns the final authorization response.
 */
export async function signIn(
  browser: TestBrowser,
  params: Record<string, string>,
  user: { email: string; password: string },
): Promise<URLSearchParams> {
  let res = await browser.get(authorizeUrl(params));
  if (res.status === 200) {
    const html = await res.text();
    if (html.includes('action="login"')) {
      res = await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
    } else {
      res = new Response(html, { status: 200 });
    }
  }
  if (res.status === 200) {
    const html = await res.text();
    if (!html.includes('action="consent"')) throw new Error(`expected the consent page:\n${html.slice(0, 1500)}`);
    res = await browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
  }
  return redirectParams(res);
}
