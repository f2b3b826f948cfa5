import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { callAs, freshIp, limitedEnv, roomInWindow, smallLimit } from "../helpers/rate-limits";

interface ErrorBody {
  error: string;
  error_description: string;
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

function form(path: string, fields: Record<string, string>, authorization?: string): [string, RequestInit] {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (authorization !== undefined) headers.Authorization = authorization;
  return [path, { method: "POST", headers, body: new URLSearchParams(fields).toString() }];
}

/** RFC 6585 §4 + RFC 6749 §5.2's shape: 429, Retry-After, a JSON error nobody caches. */
async function expectRateLimited(res: Response, what: RegExp): Promise<ErrorBody> {
  expect(res.status).toBe(429);
  expect(res.headers.get("Retry-After")).toBe("60");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  const body = await json<ErrorBody>(res);
  expect(body.error).toBe("rate_limited");
  expect(body.error_description).toMatch(what);
  return body;
}

describe("per-address limit of the token endpoints (LIMIT_TOKEN_IP)", () => {
  it("refuses the N+1st request in a window before client authentication; other addresses go on", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: smallLimit(env.LIMIT_TOKEN_IP, 3) });
    const [attacker, neighbour] = [freshIp(), freshIp()];
    const guess = form("/token", { grant_type: "client_credentials" }, basic("some-client", "guessed-secret"));
    await roomInWindow();
    for (let i = 0; i < 3; i++) expect((await callAs(workerEnv, attacker, ...guess)).status).toBe(401);
    // The same wrong credentials: refused for the rate, not for the credentials, which are never looked at.
    await expectRateLimited(await callAs(workerEnv, attacker, ...guess), /token requests from this address/);
    expect((await callAs(workerEnv, neighbour, ...guess)).status).toBe(401);
  });

  it("a browser app (CORS) is refused the same way and may read Retry-After", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: smallLimit(env.LIMIT_TOKEN_IP, 1) });
    const ip = freshIp();
    const [path, init] = form("/token", { grant_type: "authorization_code", client_id: "spa", code: "c", code_verifier: "v".repeat(43) });
    const fromApp = { ...init, headers: { ...(init.headers as Record<string, string>), Origin: "https://spa.example" } };
    await roomInWindow();
    expect((await callAs(workerEnv, ip, path, fromApp)).status).toBe(401);
    const refused = await callAs(workerEnv, ip, path, fromApp);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(refused.headers.get("Access-Control-Expose-Headers")).toMatch(/\bRetry-After\b/i);
    await expectRateLimited(refused, /from this address/);
  });

  it("/revoke and /introspect draw on the same budget as /token", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: smallLimit(env.LIMIT_TOKEN_IP, 2) });
    const ip = freshIp();
    const auth = basic("some-client", "guessed-secret");
    await roomInWindow();
    expect((await callAs(workerEnv, ip, ...form("/token", { grant_type: "client_credentials" }, auth))).status).toBe(401);
    expect((await callAs(workerEnv, ip, ...form("/revoke", { token: "x" }, auth))).status).toBe(401);
    await expectRateLimited(await callAs(workerEnv, ip, ...form("/introspect", { token: "x" }, auth)), /from this address/);
    await expectRateLimited(await callAs(workerEnv, ip, ...form("/revoke", { token: "x" }, auth)), /from this address/);
  });

  it("counts an IPv6 client by its /64: another address in the same network shares the budget, another network does not", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_IP: smallLimit(env.LIMIT_TOKEN_IP, 2) });
    const network = freshIp(6).replace(/::[0-9a-f]+$/, "");
    const guess = form("/token", { grant_type: "client_credentials" }, basic("some-client", "guessed-secret"));
    await roomInWindow();
    expect((await callAs(workerEnv, `${network}::1`, ...guess)).status).toBe(401);
    expect((await callAs(workerEnv, `${network}:ffff:0:0:9`, ...guess)).status).toBe(401);
    await expectRateLimited(await callAs(workerEnv, `${network}:0:0:0:abcd`, ...guess), /from this address/);
    expect((await callAs(workerEnv, freshIp(6), ...guess)).status).toBe(401);
  });
});

describe("per-client limit of the token endpoints (LIMIT_TOKEN_CLIENT)", () => {
  const grant = { grant_type: "client_credentials", scope: "api.read" };
  const register = async () => {
    const { clientId, secret } = await registerClient("confidential", { grant_types: ["client_credentials"], scope: "api.read" });
    return { clientId, auth: basic(clientId, secret!) };
  };

  it("refuses an authenticated client's N+1st request from any address; other clients go on", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_CLIENT: smallLimit(env.LIMIT_TOKEN_CLIENT, 3) });
    const [busy, other] = [await register(), await register()];
    await roomInWindow();
    for (let i = 0; i < 3; i++) {
      const res = await callAs(workerEnv, freshIp(), ...form("/token", grant, busy.auth));
      expect(res.status).toBe(200);
      expect((await json(res)).access_token).toEqual(expect.any(String));
    }
    await expectRateLimited(await callAs(workerEnv, freshIp(), ...form("/token", grant, busy.auth)), /token requests by this client/);
    await expectRateLimited(await callAs(workerEnv, freshIp(), ...form("/introspect", { token: "x" }, busy.auth)), /by this client/);
    expect((await callAs(workerEnv, freshIp(), ...form("/token", grant, other.auth))).status).toBe(200);
  });

  it("requests that only name a client (wrong secret) do not spend its budget", async () => {
    const workerEnv = limitedEnv({ LIMIT_TOKEN_CLIENT: smallLimit(env.LIMIT_TOKEN_CLIENT, 2) });
    const victim = await register();
    await roomInWindow();
    for (let i = 0; i < 5; i++) {
      expect((await callAs(workerEnv, freshIp(), ...form("/token", grant, basic(victim.clientId, `wrong-${i}`)))).status).toBe(401);
    }
    expect((await callAs(workerEnv, freshIp(), ...form("/token", grant, victim.auth))).status).toBe(200);
    expect((await callAs(workerEnv, freshIp(), ...form("/token", grant, victim.auth))).status).toBe(200);
    expect((await callAs(workerEnv, freshIp(), ...form("/token", grant, victim.auth))).status).toBe(429);
  });
});
