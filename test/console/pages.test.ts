import { beforeAll, describe, expect, it } from "vitest";
import type { TestBrowser } from "../helpers/browser";
import { admin, json } from "../helpers/http";
import { createUser } from "../helpers/oidc";
import { currentDirectoryMap } from "../helpers/shards";
import { consoleSignIn, csrfOf, operatorUser } from "./helpers";

/** The console's pages: each change is one operator API request, with the API's validation shown on the page. */
describe("console pages", () => {
  let browser: TestBrowser;
  let email: string;
  beforeAll(async () => {
    const op = await operatorUser("admin");
    email = op.email;
    browser = (await consoleSignIn(op)).browser;
  });

  const page = async (path: string) => {
    const res = await browser.get(path);
    expect(res.status).toBe(200);
    return res.text();
  };

  it("creates a confidential client and shows its secret once; a bad redirect URI is refused inline and nothing is stored", async () => {
    const csrf = csrfOf(await page("/admin/console/clients"));
    const id = `console-${crypto.randomUUID().slice(0, 8)}`;
    const bad = await browser.post("/admin/console/clients", { csrf, client_id: id, client_name: "Bad", client_type: "confidential", redirect_uris: "not a url", scope: "openid", grant_types: "authorization_code" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("redirect_uris");
    expect((await admin("GET", `/clients/${id}`)).status).toBe(404);
    const made = await browser.post("/admin/console/clients", { csrf, client_id: id, client_name: "Made here", client_type: "confidential", redirect_uris: "https://rp.example.com/cb", scope: "openid email", grant_types: "authorization_code refresh_token" });
    expect(made.status).toBe(201);
    const secret = /id="client-secret">([^<]+)</.exec(await made.text())![1]!;
    const { client } = await json<{ client: { grant_types: string[]; redirect_uris: string[] } }>(await admin("GET", `/clients/${id}`));
    expect(client).toMatchObject({ grant_types: ["authorization_code", "refresh_token"], redirect_uris: ["https://rp.example.com/cb"] });
    expect(secret.length).toBeGreaterThan(20);
    expect(await page(`/admin/console/clients/${id}`)).not.toContain(secret);
    const operator = (await json<{ user: { id: string } }>(await admin("GET", `/users?email=${encodeURIComponent(email)}`))).user.id;
    const { events } = await json<{ events: { type: string; client_id: string | null; data: Record<string, unknown> }[] }>(await admin("GET", `/audit?user=${operator}`));
    expect(events.find((e) => e.type === "admin.change" && e.client_id === id)?.data).toMatchObject({ actor: `user:${email}`, method: "PUT", status: 201 });
  });

  it("the built-in console client cannot be replaced through the API", async () => {
    const res = await admin("PUT", "/clients/authshard-console", { client_name: "x", client_type: "public", redirect_uris: ["https://evil.example/cb"] });
    expect(res.status).toBe(400);
  });

  it("rotates the signing keys: the active kid changes", async () => {
    const before = await json<{ keys: { kid: string; state: string; alg: string }[] }>(await admin("GET", "/keys"));
    const csrf = csrfOf(await page("/admin/console/keys"));
    const res = await browser.post("/admin/console/keys", { csrf, action: "rotate" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Rotated");
    const after = await json<{ keys: { kid: string; state: string; alg: string }[] }>(await admin("GET", "/keys"));
    const active = (keys: typeof before.keys) => keys.filter((k) => k.state === "active" && k.alg === "ES256").map((k) => k.kid);
    expect(active(after.keys)).not.toEqual(active(before.keys));
  });

  it("starts a two-bucket move and the shards page shows it finish", async () => {
    const map = await currentDirectoryMap();
    const target = map.shards[1]!;
    const buckets = [4000, 4001, 4002, 4003, 4004].filter((b) => map.shards[map.owner[b]!] !== target).slice(0, 2);
    const csrf = csrfOf(await page("/admin/console/shards"));
    const started = await browser.post("/admin/console/shards", { csrf, action: "move", buckets: buckets.join(","), to: target });
    expect(started.status).toBe(202);
    expect(await started.text()).toContain(`Started 2 move(s): buckets ${buckets.join(", ")}`);
    let html = "";
    for (let i = 0; i < 50; i++) {
      html = await page("/admin/console/shards");
      if (html.includes('id="no-moves"')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(html).toContain('id="no-moves"');
    const after = await currentDirectoryMap();
    for (const b of buckets) expect(after.shards[after.owner[b]!]).toBe(target);
  });

  it("a rebalance records the plan's moves and drives them to the end", async () => {
    const csrf = csrfOf(await page("/admin/console/shards"));
    const res = await browser.post("/admin/console/shards", { csrf, action: "rebalance", shards: "4", by: "buckets" });
    expect([200, 202]).toContain(res.status);
    let html = "";
    for (let i = 0; i < 50; i++) {
      html = await page("/admin/console/shards");
      if (html.includes('id="no-moves"')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(html).toContain('id="no-moves"');
    const { moves } = await json<{ moves: { step: string }[] }>(await admin("GET", "/shards/moves?open=true"));
    expect(moves).toEqual([]);
  });

  it("refuses a move form with a bucket out of range, recording nothing", async () => {
    const csrf = csrfOf(await page("/admin/console/shards"));
    const res = await browser.post("/admin/console/shards", { csrf, action: "move", buckets: "1,99999", to: "shard-0" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("each bucket is a number from 0 to 4095");
  });

  it("creates an operator token shown once and revokes it; the settings show no secret", async () => {
    const html = await page("/admin/console/settings");
    expect(html).toContain("ADMIN_TOKEN");
    expect(html).not.toContain("test-admin-token-0123456789abcdef");
    const made = await browser.post("/admin/console/settings", { csrf: csrfOf(html), action: "create_token", name: "console-made", scope: "read" });
    expect(made.status).toBe(201);
    const secret = /id="token-secret">([^<]+)</.exec(await made.text())![1]!;
    const { tokens } = await json<{ tokens: { id: string; name: string; created_by: string }[] }>(await admin("GET", "/operator-tokens"));
    const token = tokens.find((t) => t.name === "console-made")!;
    expect(token.created_by).toBe(`user:${email}`);
    expect((await browser.post("/admin/console/settings", { csrf: csrfOf(html), action: "revoke_token", token_id: token.id })).status).toBe(200);
    const refused = await admin("GET", "/keys", undefined, { Authorization: `Bearer ${secret}` });
    expect(refused.status).toBe(401);
  });

  it("finds a user by email and searches the audit trail by user and event type", async () => {
    const user = await createUser();
    const found = await browser.get(`/admin/console/users?email=${encodeURIComponent(user.email)}`);
    expect(found.status).toBe(303);
    expect(found.headers.get("location")).toBe(`/admin/console/users/${user.id}`);
    const html = await page(`/admin/console/users/${user.id}`);
    await browser.post(`/admin/console/users/${user.id}`, { csrf: csrfOf(html), action: "end_sessions" });
    const audit = await page(`/admin/console/audit?user=${encodeURIComponent(user.email)}&type=admin.`);
    expect(audit).toContain("admin.change");
    expect(audit).toContain(`user:${email}`);
    expect((await browser.get("/admin/console/users?email=nobody%40example.com")).status).toBe(404);
  });
});
