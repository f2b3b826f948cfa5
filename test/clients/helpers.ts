import { env } from "cloudflare:test";
import { expect } from "vitest";
import { authenticateClient } from "../../src/router/clients/authenticate";
import type { RegisteredClient } from "../../src/router/clients/registry";
import { loadConfig } from "../../src/config";
import { OAuthError } from "../../src/router/errors";
import { admin, json } from "../helpers/http";

export const config = loadConfig(env);

export interface ClientResponse {
  client: Record<string, unknown>;
  client_secret?: string;
}

export interface ErrorBody {
  error: string;
  error_description: string;
}

/** Registers (or replaces) a client through the operator API and returns the response body. */
export async function putClient(clientId: string, body: Record<string, unknown>, status: 200 | 201 = 201): Promise<ClientResponse> {
  const res = await admin("PUT", `/clients/${clientId}`, body);
  expect(res.status, await res.clone().text()).toBe(status);
  return json<ClientResponse>(res);
}

export function basic(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${btoa(`${encode(clientId)}:${encode(secret)}`)}`;
}

export type Credentials = { authorization?: string; clientId?: string; clientSecret?: string };

export function authenticate(credentials: Credentials): Promise<RegisteredClient> {
  return authenticateClient(env, config, {
    authorization: credentials.authorization ?? null,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
  });
}

/** The OAuthError authenticateClient threw (fails the test when it authenticated instead). */
export async function authError(credentials: Credentials): Promise<OAuthError> {
  try {
    const client = await authenticate(credentials);
    throw new Error(`authenticated ${client.clientId}`);
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
}

export async function expectError(res: Response, status: number, error: string, mentions?: string): Promise<ErrorBody> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = await json<ErrorBody>(res);
  expect(body.error).toBe(error);
  if (mentions !== undefined) expect(body.error_description).toContain(mentions);
  return body;
}
