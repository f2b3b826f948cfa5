import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { admin, call, json, ORIGIN } from "../helpers/http";

export const REDIRECT = "https://rp.example/callback";

export interface ErrorBody {
  error: string;
  error_description: string;
}

/** The worker's env with REGISTRATION (and any other variable) set as a test needs. */
export function envWith(vars: Record<string, string>): Env {
  return { ...(env as unknown as Env), ...vars };
}

/**
 * A request to the router: with the suite's configuration (REGISTRATION unset, so
 * `token`) through the worker's fetch, or with `workerEnv` through the app itself.
 */
export function send(path: string, init: RequestInit = {}, workerEnv?: Env): Promise<Response> {
  if (workerEnv === undefined) return call(path, init);
  return Promise.resolve(app.request(new URL(path, ORIGIN).href, { redirect: "manual", ...init }, workerEnv));
}

/** POST /register with a JSON body and, if given, an initial access token. */
export function register(metadata: unknown, token?: string, workerEnv?: Env): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return send("/register", { method: "POST", headers, body: JSON.stringify(metadata) }, workerEnv);
}

/** A request to the client configuration endpoint (RFC 7592) with a registration access token. */
export function configure(method: string, clientUri: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return call(new URL(clientUri).pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export interface MintedToken {
  initial_access_token: string;
  token: { id: string; max_uses: number; used: number; state: string; expires_at: number };
}

/** An initial access token minted through the operator API (default: code flow + refresh, OpenID scopes, one use). */
export async function mintToken(policy: Record<string, unknown> = {}): Promise<MintedToken> {
  const res = await admin("POST", "/registration-tokens", {
    grant_types: ["authorization_code", "refresh_token"],
    scope: "openid profile email offline_access",
    ...policy,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<MintedToken>(res);
}

export type ClientInformation = Record<string, unknown> & {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
};

/** Registers a client with a fresh one-use initial access token (of `policy`); fails the test unless 201. */
export async function registered(metadata: Record<string, unknown> = {}, policy: Record<string, unknown> = {}): Promise<ClientInformation> {
  const { initial_access_token } = await mintToken(policy);
  const res = await register({ redirect_uris: [REDIRECT], client_name: "Registered app", ...metadata }, initial_access_token);
  expect(res.status, await res.clone().text()).toBe(201);
  return json<ClientInformation>(res);
}

/** Asserts an error response: status, code, no-store, and that the description names `field`. */
export async function expectError(res: Response, status: number, error: string, field?: string): Promise<ErrorBody> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = (await res.json()) as ErrorBody;
  expect(body.error, text).toBe(error);
  if (field !== undefined) expect(body.error_description.startsWith(`${field}: `), body.error_description).toBe(true);
  return body;
}
