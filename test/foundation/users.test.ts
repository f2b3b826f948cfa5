import { describe, expect, it } from "vitest";
import { admin, json } from "../helpers/http";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";

interface User {
  id: string;
  email: string;
  email_verified: boolean;
  name: string | null;
  disabled: boolean;
  shard: string;
}

const password = "correct horse battery";

async function countUsersEverywhere(email: string): Promise<number> {
  const map = await currentDirectoryMap();
  let n = 0;
  for (const shard of map.shards) n += (await rowsIn(shard, "users", "email = ?", email)).length;
  return n;
}

describe("users through the operator API", () => {
  it("creates a user and reads it back by id and by email (normalized)", async () => {
    const res = await admin("POST", "/users", { email: "  Ada@Example.COM ", password, name: "Ada Lovelace", email_verified: true });
    expect(res.status).toBe(201);
    const { user } = await json<{ user: User }>(res);
    expect(user).toMatchObject({ email: "ada@example.com", email_verified: true, name: "Ada Lovelace", disabled: false });
    expect(user.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(user)).not.toContain(password);

    const byId = await admin("GET", `/users/${user.id}`);
    expect(byId.status).toBe(200);
    expect((await json<{ user: User }>(byId)).user).toEqual(user);

    const byEmail = await admin("GET", `/users?email=${encodeURIComponent("ADA@example.com")}`);
    expect(byEmail.status).toBe(200);
    expect((await json<{ user: User }>(byEmail)).user.id).toBe(user.id);

    // Only a PBKDF2 verifier is stored, never the password.
    const [credential] = await rowsIn(user.shard, "credentials", "user_id = ?", user.id);
    expect(String(credential?.secret)).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(String(credential?.secret)).not.toContain(password);
  });

  it("a duplicate email is 409 with a clear error and leaves no orphan user", async () => {
    expect((await admin("POST", "/users", { email: "dup@example.com", password })).status).toBe(201);
    const again = await admin("POST", "/users", { email: "DUP@example.com", password: "another password" });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: "conflict", error_description: "a user with this email already exists" });
    expect(await countUsersEverywhere("dup@example.com")).toBe(1);
  });

  it("concurrent sign-ups for one address create exactly one user", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () => admin("POST", "/users", { email: "race@example.com", password })),
    );
    const statuses = attempts.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(await countUsersEverywhere("race@example.com")).toBe(1);
  });

  it("checks passwords without telling unknown accounts from wrong passwords", async () => {
    await admin("POST", "/users", { email: "pw@example.com", password });
    const check = async (email: string, pw: string) => json(await admin("POST", "/users/password-check", { email, password: pw }));
    expect(await check("PW@example.com", password)).toMatchObject({ valid: true });
    expect(await check("pw@example.com", "wrong password")).toEqual({ valid: false });
    expect(await check("nobody@example.com", password)).toEqual({ valid: false });
    expect(await check("not an email", password)).toEqual({ valid: false });
  });

  it("a disabled user stays readable, is marked disabled, and no longer passes a password check", async () => {
    const { user } = await json<{ user: User }>(await admin("POST", "/users", { email: "off@example.com", password }));
    const res = await admin("POST", `/users/${user.id}/disable`);
    expect(res.status).toBe(200);
    expect((await json<{ user: User }>(res)).user.disabled).toBe(true);
    // Disabling twice is harmless.
    expect((await admin("POST", `/users/${user.id}/disable`)).status).toBe(200);
    expect((await json<{ user: User }>(await admin("GET", `/users/${user.id}`))).user.disabled).toBe(true);
    expect(await json(await admin("POST", "/users/password-check", { email: "off@example.com", password }))).toEqual({ valid: false });
  });

  it("unknown users are 404 for read, lookup and disable", async () => {
    expect((await admin("GET", "/users/AAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    expect((await admin("GET", "/users?email=ghost%40example.com")).status).toBe(404);
    expect((await admin("POST", "/users/AAAAAAAAAAAAAAAAAAAAAA/disable")).status).toBe(404);
  });
});
