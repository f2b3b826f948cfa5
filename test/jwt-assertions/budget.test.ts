import { createExecutionContext, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { basic } from "../helpers/codes";
import { admin, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { clientAssertion, CLIENT_ASSERTION_TYPE, JWT_BEARER, keyClient, keyPair, signed } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** The request log line of one /token request: how many actor calls and D1 statements it made. */
async function costOf(body: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; actor_calls: number; d1_statements: number }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
  const workerEnv = { ...(env as unknown as Env), LOG_REQUESTS: "all" };
  const request = new Request(new URL("/token", ORIGIN), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(body) });
  await app.fetch(request, workerEnv, createExecutionContext());
  spy.mockRestore();
  return JSON.parse(lines.find((l) => l.includes('"event":"request"'))!);
}

/**
 * The hot-path budget (DESIGN.md: /token makes one actor call and no D1 query) with JWT
 * assertions: the client, its keys and the trusted issuer come from the isolate's caches;
 * the one actor call is the replay check of the jti (RFC 7523 §3 item 7).
 */
describe("/token budget with JWT assertions", () => {
  it("client_credentials with private_key_jwt: one actor call (the spent jti), no D1 once the client is cached", async () => {
    const key = await keyPair();
    const clientId = await keyClient([key]);
    const warm = await costOf({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId) });
    expect(warm.status).toBe(200);
    const cost = await costOf({ grant_type: "client_credentials", client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await clientAssertion(key, clientId) });
    expect(cost).toMatchObject({ status: 200, actor_calls: 1, d1_statements: 0 });
  });

  it("JWT bearer grant about a user, secret client: one actor call (the user's shard), no D1 once the issuer is cached", async () => {
    const key = await keyPair();
    const issuer = `https://idp-budget-${crypto.randomUUID().slice(0, 8)}.example`;
    expect((await admin("PUT", "/trusted-issuers", { issuer, jwks: { keys: [key.publicJwk] }, subject_type: "user", scope: "reports:read" })).status).toBe(201);
    const { clientId, secret } = await registerClient("confidential", { grant_types: [JWT_BEARER], scope: "reports:read" });
    const user = await createUser();
    const request = async () => costOf({ grant_type: JWT_BEARER, assertion: await signed(key, { iss: issuer, sub: user.id, aud: ORIGIN }) }, basic(clientId, secret!));
    expect((await request()).status).toBe(200);
    expect(await request()).toMatchObject({ status: 200, actor_calls: 1, d1_statements: 0 });
  });
});
