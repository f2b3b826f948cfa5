import { createExecutionContext, env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, call, json, ORIGIN } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { envWith, Outage, refreshWith, unreachableD1 } from "../degradation/outage";

const SCOPE = "openid profile email offline_access roles groups";
const tag = crypto.randomUUID().slice(0, 6);
const role = (name: string) => `${name}-${tag}`;

let a: { clientId: string; auth: Record<string, string>; secret?: string | undefined };
let b: { clientId: string; auth: Record<string, string> };
let groupId: string;

async function put(path: string, body: unknown, status = 200) {
  const res = await admin("PUT", path, body);
  expect(res.status, await res.clone().text()).toBe(status);
  return json(res);
}

/** A user in the Engineering group, with direct roles and the given attributes. */
async function provisioned(attributes: Record<string, string>, roles: string[]) {
  const user = await createUser();
  await put(`/users/${user.id}/access`, { roles, attributes });
  expect((await admin("POST", `/groups/${groupId}/members`, { user_id: user.id })).status).toBe(204);
  return user;
}

async function tokensFor(client: typeof a, user: { email: string; password: string }, scope = SCOPE) {
  const issued = await issueCode(client.clientId, { user, scope });
  const res = await tokenRequest(redeemFields(issued), client.auth);
  expect(res.status).toBe(200);
  return json<{ access_token: string; id_token: string; refresh_token: string }>(res);
}

beforeAll(async () => {
  const ra = await registerClient("confidential", { scope: SCOPE });
  const rb = await registerClient("confidential", { scope: SCOPE });
  a = { clientId: ra.clientId, auth: basic(ra.clientId, ra.secret!), secret: ra.secret };
  b = { clientId: rb.clientId, auth: basic(rb.clientId, rb.secret!) };
  await put(`/roles/${role("viewer")}`, { permissions: ["docs:read"] });
  await put(`/roles/${role("editor")}`, { client_id: a.clientId, permissions: ["docs:write", "docs:read"] });
  await put(`/roles/${role("b-admin")}`, { client_id: b.clientId, permissions: ["b:all"] });
  await put(`/roles/${role("finance")}`, { permissions: ["ledger:read"], condition: { attribute: "department", equals: "Finance" } });
  await put(`/roles/${role("staff")}`, { permissions: [], condition: { attribute: "email_domain", in: ["example.com"] } });
  await put(`/roles/${role("expired")}`, { permissions: ["old:thing"], condition: { time: { before: "2001-01-01T00:00:00Z" } } });
  await put(`/roles/${role("only-b")}`, { permissions: ["b:extra"], condition: { attribute: "client_id", equals: b.clientId } });
  const created = await admin("POST", "/groups", { display_name: `Engineering ${tag}`, roles: [role("viewer")] });
  expect(created.status).toBe(201);
  groupId = (await json<{ group: { id: string } }>(created)).group.id;
  await put(`/clients/${a.clientId}/access-claims`, { id_token: ["roles", "groups"], access_token: ["roles", "permissions"], userinfo: ["groups", "permissions"] });
  await put(`/clients/${b.clientId}/access-claims`, { id_token: ["roles"], access_token: [], userinfo: [] });
});

const DIRECT = () => [role("editor"), role("b-admin"), role("finance"), role("staff"), role("expired"), role("only-b")];

describe("roles, groups and permissions in tokens (RBAC with ABAC conditions)", () => {
  it("each token carries the claims the client is configured for; client roles only for their client; conditions decide (OIDC Core §5.1 custom claims, RFC 9068 §2.2.3.1)", async () => {
    const user = await provisioned({ department: "Finance" }, DIRECT());
    const tokens = await tokensFor(a, user);
    const id = decodeJwt(tokens.id_token);
    expect(id.roles).toEqual([role("editor"), role("finance"), role("staff"), role("viewer")].sort());
    expect(id.groups).toEqual([`Engineering ${tag}`]);
    expect(id).not.toHaveProperty("permissions");
    const access = decodeJwt(tokens.access_token);
    expect(access.roles).toEqual(id.roles);
    expect(access.permissions).toEqual(["docs:read", "docs:write", "ledger:read"]);
    expect(access).not.toHaveProperty("groups");
    const info = await json(await call("/userinfo", { headers: { Authorization: `Bearer ${tokens.access_token}` } }));
    expect(info.groups).toEqual([`Engineering ${tag}`]);
    expect(info.permissions).toEqual(["docs:read", "docs:write", "ledger:read"]);
    expect(info).not.toHaveProperty("roles");

    // The same user at client B: B's own role and the role conditioned on client B, not A's editor.
    const atB = decodeJwt((await tokensFor(b, user)).id_token);
    expect(atB.roles).toEqual([role("b-admin"), role("finance"), role("only-b"), role("staff"), role("viewer")].sort());
    expect(decodeJwt((await tokensFor(b, user)).access_token)).not.toHaveProperty("roles");
  });

  it("without the roles and groups scopes no access claim is released (OIDC Core §5.4)", async () => {
    const user = await provisioned({ department: "Finance" }, DIRECT());
    const tokens = await tokensFor(a, user, "openid profile email offline_access");
    for (const token of [tokens.id_token, tokens.access_token]) {
      const claims = decodeJwt(token);
      expect(claims).not.toHaveProperty("roles");
      expect(claims).not.toHaveProperty("groups");
      expect(claims).not.toHaveProperty("permissions");
    }
  });

  it("a client with no access-claims setting gets none, whatever the scope", async () => {
    const rc = await registerClient("confidential", { scope: SCOPE });
    const user = await provisioned({ department: "Finance" }, DIRECT());
    expect(decodeJwt((await tokensFor({ clientId: rc.clientId, auth: basic(rc.clientId, rc.secret!) }, user)).id_token)).not.toHaveProperty("roles");
  });

  it("a changed attribute or membership applies at the next refresh (RFC 6749 §6), read in the same shard call", async () => {
    const user = await provisioned({ department: "Finance" }, DIRECT());
    const first = await tokensFor(a, user);
    await put(`/users/${user.id}/access`, { attributes: { department: "Sales" } });
    expect((await admin("DELETE", `/groups/${groupId}/members/${user.id}`)).status).toBe(204);
    const res = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token }, a.auth);
    const id = decodeJwt((await json<{ id_token: string }>(res)).id_token);
    expect(id.roles).toEqual([role("editor"), role("staff")].sort());
    expect(id.groups).toEqual([]);
  });

  it("a refresh with roles costs one actor call and no D1 statement once the isolate holds the definitions", async () => {
    const user = await provisioned({ department: "Finance" }, DIRECT());
    let refresh = (await tokensFor(a, user)).refresh_token;
    const cost = async () => {
      const lines: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
      const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh });
      const request = new Request(new URL("/token", ORIGIN), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", ...a.auth }, body });
      const res = await app.fetch(request, { ...(env as unknown as Env), LOG_REQUESTS: "all" }, createExecutionContext());
      spy.mockRestore();
      const tokens = await json<{ refresh_token: string; id_token: string }>(res);
      refresh = tokens.refresh_token;
      expect(decodeJwt(tokens.id_token).roles).toContain(role("finance"));
      return JSON.parse(lines.find((l) => l.includes('"event":"request"'))!) as Record<string, unknown>;
    };
    await cost();
    expect(await cost()).toMatchObject({ status: 200, actor_calls: 1, d1_statements: 0 });
  });
});

describe("roles while D1 is down (README \"When a dependency fails\")", () => {
  it("a refresh right after a role change in this isolate, with D1 unreachable, still carries the roles this isolate knew", async () => {
    const user = await provisioned({ department: "Finance" }, DIRECT());
    const tokens = await tokensFor(a, user);
    await put(`/roles/${role("viewer")}`, { permissions: ["docs:read"] });
    const down = envWith({ DB: unreachableD1(new Outage()) });
    const res = await refreshWith(down, a, tokens.refresh_token);
    expect(res.status).toBe(200);
    expect(decodeJwt((await json<{ id_token: string }>(res)).id_token).roles).toContain(role("finance"));
  });
});

describe("operator input for roles", () => {
  it("refuses a malformed condition, an unknown client, an unknown role and an unknown claim with 400, writing nothing", async () => {
    const bad = [
      [`/roles/${role("bad")}`, { permissions: [], condition: { attribute: "department", equals: "x", in: ["y"] } }],
      [`/roles/${role("bad")}`, { permissions: [], condition: { eval: "1+1" } }],
      [`/roles/${role("bad")}`, { permissions: [], condition: { time: { before: "yesterday" } } }],
      [`/roles/${role("bad")}`, { permissions: [], client_id: "no-such-client" }],
      [`/clients/${a.clientId}/access-claims`, { id_token: ["secrets"], access_token: [], userinfo: [] }],
    ] as const;
    for (const [path, body] of bad) expect((await admin("PUT", path, body)).status, JSON.stringify(body)).toBe(400);
    const roles = await json<{ roles: { name: string }[] }>(await admin("GET", "/roles"));
    expect(roles.roles.map((r) => r.name)).not.toContain(role("bad"));
    const user = await createUser();
    const res = await admin("PUT", `/users/${user.id}/access`, { roles: ["no-such-role"] });
    expect(res.status).toBe(400);
    expect(await json(await admin("GET", `/users/${user.id}/access`))).toMatchObject({ roles: [], groups: [], version: 0 });
  });
});
