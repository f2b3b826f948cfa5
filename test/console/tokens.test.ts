import { describe, expect, it } from "vitest";
import { admin, call, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";

/** Scoped, revocable operator API tokens (RFC 6750 §3.1: invalid_token 401, insufficient_scope 403). */
async function newToken(scope: "read" | "full", name = `t-${crypto.randomUUID().slice(0, 8)}`) {
  const res = await admin("POST", "/operator-tokens", { name, scope });
  expect(res.status).toBe(201);
  const body = await json<{ token: { id: string; name: string; scope: string }; secret: string }>(res);
  expect(body.secret).toMatch(/^ast_/);
  return { ...body.token, secret: body.secret };
}

const as = (secret: string, method: string, path: string, body?: unknown) =>
  call(`/admin${path}`, { method, headers: { Authorization: `Bearer ${secret}`, ...(body ? { "Content-Type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

describe("operator tokens", () => {
  it("a read token reads but gets 403 insufficient_scope on a change, and nothing changes", async () => {
    const token = await newToken("read");
    const target = await createUser();
    expect((await as(token.secret, "GET", `/users/${target.id}`)).status).toBe(200);
    const refused = await as(token.secret, "POST", `/users/${target.id}/disable`);
    expect(refused.status).toBe(403);
    expect((await json<{ error: string }>(refused)).error).toBe("insufficient_scope");
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    const { user } = await json<{ user: { disabled: boolean } }>(await admin("GET", `/users/${target.id}`));
    expect(user.disabled).toBe(false);
  });

  it("a full token changes, and the audit trail names the token", async () => {
    const token = await newToken("full");
    const target = await createUser();
    expect((await as(token.secret, "POST", `/users/${target.id}/disable`)).status).toBe(200);
    const { events } = await json<{ events: { type: string; data: Record<string, unknown> }[] }>(await admin("GET", `/audit?user=${target.id}`));
    expect(events.find((e) => e.type === "admin.change")?.data).toMatchObject({ actor: `token:${token.name}`, actor_scope: "full" });
  });

  it("a revoked token is refused with 401 invalid_token; only the hash is listed", async () => {
    const token = await newToken("full");
    expect((await as(token.secret, "GET", "/operator-tokens")).status).toBe(200);
    expect((await admin("DELETE", `/operator-tokens/${token.id}`)).status).toBe(204);
    const refused = await as(token.secret, "GET", "/operator-tokens");
    expect(refused.status).toBe(401);
    expect((await json<{ error: string }>(refused)).error).toBe("invalid_token");
    const listing = await (await admin("GET", "/operator-tokens")).text();
    expect(listing).toContain(token.id);
    expect(listing).not.toContain(token.secret);
    expect((await admin("DELETE", `/operator-tokens/${token.id}`)).status).toBe(404);
  });

  it("bad input is a 400 naming the field, and nothing is stored", async () => {
    const before = (await json<{ tokens: unknown[] }>(await admin("GET", "/operator-tokens"))).tokens.length;
    const res = await admin("POST", "/operator-tokens", { name: "x", scope: "everything" });
    expect(res.status).toBe(400);
    expect((await json<{ error_description: string }>(res)).error_description).toContain("scope");
    expect((await json<{ tokens: unknown[] }>(await admin("GET", "/operator-tokens"))).tokens.length).toBe(before);
  });

  it("operators are granted by email and revoked; a read token cannot grant", async () => {
    const user = await createUser();
    const reader = await newToken("read");
    expect((await as(reader.secret, "POST", "/operators", { email: user.email, role: "admin" })).status).toBe(403);
    expect((await admin("POST", "/operators", { email: user.email, role: "viewer" })).status).toBe(201);
    const { operators } = await json<{ operators: { user_id: string; role: string; email: string }[] }>(await admin("GET", "/operators"));
    expect(operators.find((o) => o.user_id === user.id)).toMatchObject({ role: "viewer", email: user.email });
    expect((await admin("DELETE", `/operators/${user.id}`)).status).toBe(204);
    expect((await admin("DELETE", `/operators/${user.id}`)).status).toBe(404);
  });
});
