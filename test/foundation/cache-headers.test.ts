import { beforeAll, describe, expect, it } from "vitest";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json } from "../helpers/http";
import { authorizeUrl, registerClient, REDIRECT_URI } from "../helpers/oidc";

/**
 * Which responses a cache may keep. Tokens, codes, sessions and personal data:
 * never (`Cache-Control: no-store`, plus the HTTP/1.0 `Pragma: no-cache` RFC 6749
 * §5.1 asks of token responses, and on every JSON error). Public metadata: yes.
 */

type Caching = [cacheControl: string | null, pragma: string | null];
const NO_STORE: Caching = ["no-store", null];
const NO_STORE_PRAGMA: Caching = ["no-store", "no-cache"];

let auth: Record<string, string>;
let tokens: { access_token: string; refresh_token: string };
let clientId: string;

beforeAll(async () => {
  const registered = await registerClient("confidential", { post_logout_redirect_uris: ["http://localhost:3000/"] });
  clientId = registered.clientId;
  auth = basic(clientId, registered.secret!);
  tokens = await json(await tokenRequest(redeemFields(await issueCode(clientId)), auth));
});

const form = (path: string, fields: Record<string, string>) =>
  call(path, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...auth }, body: new URLSearchParams(fields).toString() });
const bearer = (token: string) => call("/userinfo", { headers: { Authorization: `Bearer ${token}` } });
const authorize = (extra: Record<string, string> = {}) =>
  call(authorizeUrl({ client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "openid", state: "s", ...extra }));

describe("cache headers per response", () => {
  it.each<[string, () => Promise<Response>, number, Caching]>([
    ["token response (RFC 6749 §5.1)", () => form("/token", { grant_type: "refresh_token", refresh_token: tokens.refresh_token }), 200, NO_STORE_PRAGMA],
    ["token error (RFC 6749 §5.2)", () => form("/token", { grant_type: "refresh_token", refresh_token: "r.1.x.y" }), 400, NO_STORE_PRAGMA],
    ["userinfo (OIDC Core §5.3.2)", () => bearer(tokens.access_token), 200, NO_STORE],
    ["userinfo error", () => bearer("not-a-token"), 401, NO_STORE_PRAGMA],
    ["revoke (RFC 7009)", () => form("/revoke", { token: "unknown" }), 200, NO_STORE_PRAGMA],
    ["introspect (RFC 7662 §4)", () => form("/introspect", { token: "unknown" }), 200, NO_STORE_PRAGMA],
    ["login page", () => authorize(), 200, NO_STORE],
    ["authorization error at the client", () => authorize({ response_type: "token" }), 302, NO_STORE],
    ["authorization error page", () => authorize({ client_id: "nobody" }), 400, NO_STORE],
    ["signed-out page", () => call("/logout"), 200, NO_STORE],
    ["signed-out redirect", () => call(`/logout?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: "http://localhost:3000/" })}`), 302, NO_STORE],
    ["operator API", () => admin("GET", "/clients"), 200, NO_STORE],
    ["operator API error", () => admin("GET", "/users/nobody"), 404, NO_STORE_PRAGMA],
    ["health", () => call("/healthz"), 200, NO_STORE],
    ["unknown path", () => call("/nowhere"), 404, NO_STORE_PRAGMA],
    ["discovery", () => call("/.well-known/openid-configuration"), 200, ["public, max-age=300", null]],
    ["CORS preflight of /token", () => call("/token", { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" } }), 204, [null, null]],
  ])("%s", async (_label, send, status, [cacheControl, pragma]) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get("cache-control")).toBe(cacheControl);
    expect(res.headers.get("pragma")).toBe(pragma);
  });
});
