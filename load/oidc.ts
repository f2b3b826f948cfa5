// The OpenID Connect requests the scenarios make, for any provider: endpoints come
// from discovery, the client authenticates with client_secret_basic, every
// authorization request has fresh state, nonce and PKCE (the seed's /authorize rules).
import { createHash, randomBytes } from "node:crypto";
import { header, oauthError, timed, type Http, type HttpResponse } from "./http.ts";
import type { Outcome } from "./report/stats.ts";

export interface ClientConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scope: string;
}

export interface Endpoints {
  issuer: string;
  authorization: string;
  token: string;
  userinfo: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
}

const random = (bytes: number) => randomBytes(bytes).toString("base64url");

export async function discover(http: Http, target: string): Promise<Endpoints> {
  const url = `${target.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  const res = await http.request(url, { step: "discovery" });
  if (res.status !== 200) throw new Error(`discovery at ${url} answered HTTP ${res.status}`);
  const doc = JSON.parse(res.text) as Record<string, unknown>;
  const need = (key: string): string => {
    const value = doc[key];
    if (typeof value !== "string") throw new Error(`discovery document at ${url} has no ${key}`);
    return value;
  };
  return { issuer: need("issuer"), authorization: need("authorization_endpoint"), token: need("token_endpoint"), userinfo: need("userinfo_endpoint") };
}

export interface AuthorizationAttempt {
  url: string;
  verifier: string;
  state: string;
}

/** A fresh authorization request (S256 PKCE, random state and nonce). */
export function authorizationRequest(ep: Endpoints, client: ClientConfig): AuthorizationAttempt {
  const verifier = random(48);
  const state = random(24);
  const url = new URL(ep.authorization);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    nonce: random(24),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  return { url: url.href, verifier, state };
}

/** The code of a redirect to the client, or why there is none. */
export function codeFromRedirect(res: HttpResponse, client: ClientConfig, state: string): { code: string } | { problem: string } {
  if (res.status < 300 || res.status > 399) return { problem: res.status === 200 ? "login_page" : (oauthError(res) ?? `http_${res.status}`) };
  const location = header(res, "location");
  if (!location || !location.startsWith(client.redirectUri)) return { problem: "bad_redirect" };
  const params = new URL(location).searchParams;
  const error = params.get("error");
  if (error) return { problem: error.slice(0, 64) };
  if (params.get("state") !== state) return { problem: "state_mismatch" };
  const code = params.get("code");
  return code ? { code } : { problem: "no_code" };
}

export interface CodeTicket {
  code: string;
  verifier: string;
}

/** GET /authorize with a live session: the provider answers with a code at once. */
export async function authorizeWithSession(
  http: Http,
  ep: Endpoints,
  client: ClientConfig,
  cookie: string,
  step = "GET /authorize (session)",
): Promise<{ outcome: Outcome; ticket: CodeTicket | null }> {
  const attempt = authorizationRequest(ep, client);
  let ticket: CodeTicket | null = null;
  const { outcome } = await timed(http, step, attempt.url, { headers: { cookie }, step: "session" }, (res) => {
    const got = codeFromRedirect(res, client, attempt.state);
    if ("problem" in got) return got.problem;
    ticket = { code: got.code, verifier: attempt.verifier };
    return null;
  });
  return { outcome, ticket };
}

function basic(client: ClientConfig): string {
  // RFC 6749 §2.3.1: form-encode id and secret before base64.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${enc(client.clientId)}:${enc(client.clientSecret)}`).toString("base64")}`;
}

function tokenCheck(wantRefresh: boolean, out: { tokens: Tokens | null }) {
  return (res: HttpResponse): string | null => {
    if (res.status !== 200) return oauthError(res) ?? `http_${res.status}`;
    const body = JSON.parse(res.text) as { access_token?: unknown; refresh_token?: unknown };
    if (typeof body.access_token !== "string") return "no_access_token";
    const refreshToken = typeof body.refresh_token === "string" ? body.refresh_token : null;
    if (wantRefresh && refreshToken === null) return "no_refresh_token";
    out.tokens = { accessToken: body.access_token, refreshToken };
    return null;
  };
}

/** POST /token grant_type=authorization_code (the seed's TEST 1 request). */
export async function redeemCode(http: Http, ep: Endpoints, client: ClientConfig, ticket: CodeTicket, wantRefresh = true) {
  const out: { tokens: Tokens | null } = { tokens: null };
  const { outcome } = await timed(
    http,
    "POST /token authorization_code",
    ep.token,
    {
      headers: { authorization: basic(client) },
      form: { grant_type: "authorization_code", code: ticket.code, redirect_uri: client.redirectUri, code_verifier: ticket.verifier },
      step: "authorization_code",
    },
    tokenCheck(wantRefresh, out),
  );
  return { outcome, tokens: out.tokens };
}

/** POST /token grant_type=refresh_token (the seed's TEST 2 request); rotation must return a new one. */
export async function refresh(http: Http, ep: Endpoints, client: ClientConfig, refreshToken: string) {
  const out: { tokens: Tokens | null } = { tokens: null };
  const { outcome } = await timed(
    http,
    "POST /token refresh_token",
    ep.token,
    { headers: { authorization: basic(client) }, form: { grant_type: "refresh_token", refresh_token: refreshToken }, step: "refresh_token" },
    tokenCheck(true, out),
  );
  return { outcome, tokens: out.tokens };
}

/** GET /userinfo with a Bearer access token. */
export async function userinfo(http: Http, ep: Endpoints, accessToken: string) {
  const { outcome } = await timed(http, "GET /userinfo", ep.userinfo, { headers: { authorization: `Bearer ${accessToken}` }, step: "bearer" }, (res) =>
    res.status === 200 ? (res.text.includes('"sub"') ? null : "no_sub") : (oauthError(res) ?? `http_${res.status}`),
  );
  return { outcome };
}
