import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/router/app";
import { ADMIN_TOKEN, admin, call, json } from "../helpers/http";

/**
 * Bad input on every operator route answers 4xx with the one error shape
 * (`{ error, error_description }`, JSON, `Cache-Control: no-store`) — never a 500,
 * and never a partial write.
 */

interface ErrorBody {
  error: string;
  error_description: string;
}

async function expectError(res: Response, status: number, error: string, mentions?: string): Promise<ErrorBody> {
  const text = await res.clone().text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json(;|$)/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  const body = await json<ErrorBody>(res);
  expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
  expect(body.error).toBe(error);
  expect(body.error_description).toEqual(expect.any(String));
  expect(body.error_description.length).toBeGreaterThan(0);
  if (mentions !== undefined) expect(body.error_description).toContain(mentions);
  return body;
}

/**
 * Users and clients as the operator sees them. Other test files share this runtime and
 * write their own, so "no partial write" is: nothing more than before this file's requests.
 */
async function usersNow(): Promise<{ shards: Array<{ name: string; users: number | null }>; emails: number }> {
  const res = await admin("GET", "/shards");
  expect(res.status).toBe(200);
  const { shards } = await json<{ shards: Array<{ name: string; users: number | null }> }>(res);
  const row = await env.DB.prepare("SELECT count(*) AS n FROM user_emails").first<{ n: number }>();
  return { shards, emails: row!.n };
}

async function clientsNow(): Promise<unknown> {
  const res = await admin("GET", "/clients");
  expect(res.status).toBe(200);
  return json(res);
}

let before: Awaited<ReturnType<typeof usersNow>> & { clients: unknown };
beforeAll(async () => {
  before = { ...(await usersNow()), clients: await clientsNow() };
});

const EMAIL = "input-user@example.com";
const USER = { email: EMAIL, password: "correct horse battery" };
const CLIENT = { client_name: "Input test", client_type: "confidential", redirect_uris: ["https://app.example/cb"] };
const CLIENT_ID = "input-client";

interface BodyRoute {
  name: string;
  method: string;
  path: string;
  valid: Record<string, unknown>;
  /** The field a body without any fields is reported for first. */
  firstField: string;
}

const bodyRoutes: BodyRoute[] = [
  { name: "POST /admin/users", method: "POST", path: "/users", valid: USER, firstField: "email" },
  { name: "POST /admin/users/password-check", method: "POST", path: "/users/password-check", valid: USER, firstField: "email" },
  { name: `PUT /admin/clients/${CLIENT_ID}`, method: "PUT", path: `/clients/${CLIENT_ID}`, valid: CLIENT, firstField: "client_name" },
];

/** Raw bodies that are wrong for every JSON route, whatever its schema. */
const rawCases: Array<{ case: string; body: string; mentions?: string }> = [
  { case: "malformed JSON", body: "{not json", mentions: "JSON" },
  { case: "an empty body", body: "", mentions: "JSON" },
  { case: "null", body: "null" },
  { case: "an array", body: "[]" },
  { case: "a string", body: JSON.stringify("email=a@example.com") },
  { case: "a number", body: "42" },
];

describe("JSON body routes reject bad bodies with 400/413/415", () => {
  for (const route of bodyRoutes) {
    describe(route.name, () => {
      it.each(rawCases)("$case → 400 invalid_request", async ({ body, mentions }) => {
        await expectError(await admin(route.method, route.path, body), 400, "invalid_request", mentions);
      });

      it("{} (required fields missing) → 400 naming the first missing field", async () => {
        await expectError(await admin(route.method, route.path, {}), 400, "invalid_request", route.firstField);
      });

      it("an unknown extra field → 400 naming it (strict objects)", async () => {
        await expectError(await admin(route.method, route.path, { ...route.valid, is_admin: true }), 400, "invalid_request", "is_admin");
      });

      it("a body over 64 KiB → 413", async () => {
        const body = JSON.stringify({ ...route.valid, padding: "x".repeat(64 * 1024) });
        await expectError(await admin(route.method, route.path, body), 413, "invalid_request");
      });

      it("a body over 64 KiB sent without Content-Length (streamed) → 413", async () => {
        const chunk = new TextEncoder().encode("x".repeat(8 * 1024));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 9; i++) controller.enqueue(chunk);
            controller.close();
          },
        });
        const res = await call(`/admin${route.path}`, {
          method: route.method,
          body: stream,
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        });
        await expectError(res, 413, "invalid_request");
      });

      it("a valid body sent as text/plain → 415", async () => {
        const res = await admin(route.method, route.path, JSON.stringify(route.valid), { "Content-Type": "text/plain" });
        await expectError(res, 415, "invalid_request", "Content-Type");
      });

      it("a valid body without any Content-Type → 415", async () => {
        const res = await call(`/admin${route.path}`, {
          method: route.method,
          body: JSON.stringify(route.valid),
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        await expectError(res, 415, "invalid_request");
      });
    });
  }

  it("the 64 KiB limit is inclusive: a body of exactly 65536 bytes is parsed (and fails validation instead)", async () => {
    const skeleton = JSON.stringify({ ...USER, name: "" });
    const body = JSON.stringify({ ...USER, name: "n".repeat(64 * 1024 - skeleton.length) });
    expect(new TextEncoder().encode(body).byteLength).toBe(64 * 1024);
    await expectError(await admin("POST", "/users", body), 400, "invalid_request", "name");
    const over = JSON.stringify({ ...USER, name: "n".repeat(64 * 1024 - skeleton.length + 1) });
    await expectError(await admin("POST", "/users", over), 413, "invalid_request");
  });
});

type FieldCase = { case: string; body: Record<string, unknown>; field: string };

const userFieldCases: FieldCase[] = [
  { case: "email: 5", body: { ...USER, email: 5 }, field: "email" },
  { case: "email: null", body: { ...USER, email: null }, field: "email" },
  { case: 'password: ["x"]', body: { ...USER, password: ["x"] }, field: "password" },
  { case: 'email_verified: "yes"', body: { ...USER, email_verified: "yes" }, field: "email_verified" },
  { case: "a 7-character password", body: { ...USER, password: "1234567" }, field: "password" },
  { case: "a password over 1024 characters", body: { ...USER, password: "p".repeat(1025) }, field: "password" },
  { case: "an email without @", body: { ...USER, email: "input-user.example.com" }, field: "email" },
  { case: "an email without a domain dot", body: { ...USER, email: "input-user@localhost" }, field: "email" },
  { case: "an email with a space", body: { ...USER, email: "input user@example.com" }, field: "email" },
  { case: "an email over 254 characters", body: { ...USER, email: `${"a".repeat(250)}@example.com` }, field: "email" },
  { case: "a blank name", body: { ...USER, name: "   " }, field: "name" },
  { case: "given_name: 5", body: { ...USER, given_name: 5 }, field: "given_name" },
];

const passwordCheckFieldCases: FieldCase[] = [
  { case: "email: 5", body: { ...USER, email: 5 }, field: "email" },
  { case: 'password: ["x"]', body: { ...USER, password: ["x"] }, field: "password" },
  { case: "password missing", body: { email: EMAIL }, field: "password" },
];

const clientFieldCases: FieldCase[] = [
  { case: 'redirect_uris: "http://x"', body: { ...CLIENT, redirect_uris: "http://x" }, field: "redirect_uris" },
  { case: "redirect_uris: []", body: { ...CLIENT, redirect_uris: [] }, field: "redirect_uris" },
  { case: "redirect_uris: [5]", body: { ...CLIENT, redirect_uris: [5] }, field: "redirect_uris" },
  { case: 'grant_types: ["password"]', body: { ...CLIENT, grant_types: ["password"] }, field: "grant_types" },
  { case: "grant_types: []", body: { ...CLIENT, grant_types: [] }, field: "grant_types" },
  { case: 'client_type: "both"', body: { ...CLIENT, client_type: "both" }, field: "client_type" },
  { case: "client_name: 5", body: { ...CLIENT, client_name: 5 }, field: "client_name" },
  { case: "a blank client_name", body: { ...CLIENT, client_name: "  " }, field: "client_name" },
  { case: "scope: 5", body: { ...CLIENT, scope: 5 }, field: "scope" },
  { case: "a scope with a double space", body: { ...CLIENT, scope: "openid  email" }, field: "scope" },
  { case: 'a scope with a "', body: { ...CLIENT, scope: 'openid "email"' }, field: "scope" },
  { case: 'id_token_signed_response_alg: "none"', body: { ...CLIENT, id_token_signed_response_alg: "none" }, field: "id_token_signed_response_alg" },
  { case: "a client_secret shorter than 8", body: { ...CLIENT, client_secret: "short" }, field: "client_secret" },
  { case: "a public client with a client_secret", body: { ...CLIENT, client_type: "public", client_secret: "s3cret-s3cret" }, field: "client_secret" },
  { case: "a public client with client_credentials", body: { ...CLIENT, client_type: "public", grant_types: ["client_credentials"] }, field: "grant_types" },
  { case: "a redirect URI with a fragment", body: { ...CLIENT, redirect_uris: ["https://app.example/cb#frag"] }, field: "redirect_uris" },
  { case: "a redirect URI with an empty fragment", body: { ...CLIENT, redirect_uris: ["https://app.example/cb#"] }, field: "redirect_uris" },
  { case: "a javascript: redirect URI", body: { ...CLIENT, redirect_uris: ["javascript:alert(1)"] }, field: "redirect_uris" },
  { case: "a data: redirect URI", body: { ...CLIENT, redirect_uris: ["data:text/html,hi"] }, field: "redirect_uris" },
  { case: "a relative redirect URI", body: { ...CLIENT, redirect_uris: ["/cb"] }, field: "redirect_uris" },
  { case: "an http redirect URI on a non-loopback host", body: { ...CLIENT, redirect_uris: ["http://app.example/cb"] }, field: "redirect_uris" },
  { case: "an http redirect URI on a loopback look-alike", body: { ...CLIENT, redirect_uris: ["http://localhost.app.example/cb"] }, field: "redirect_uris" },
  { case: "a custom scheme that is not reverse-domain", body: { ...CLIENT, redirect_uris: ["myapp:/cb"] }, field: "redirect_uris" },
  { case: "the second of two redirect URIs is bad", body: { ...CLIENT, redirect_uris: ["https://app.example/cb", "https://app.example/cb#x"] }, field: "redirect_uris.1" },
];

describe("wrong field values → 400 naming the field", () => {
  it.each(userFieldCases)("POST /admin/users with $case", async ({ body, field }) => {
    await expectError(await admin("POST", "/users", body), 400, "invalid_request", field);
  });

  it.each(passwordCheckFieldCases)("POST /admin/users/password-check with $case", async ({ body, field }) => {
    await expectError(await admin("POST", "/users/password-check", body), 400, "invalid_request", field);
  });

  it.each(clientFieldCases)(`PUT /admin/clients/${CLIENT_ID} with $case`, async ({ body, field }) => {
    await expectError(await admin("PUT", `/clients/${CLIENT_ID}`, body), 400, "invalid_request", field);
  });
});

describe("bad ids and query parameters", () => {
  it("GET /admin/users/not-an-id → 404 not_found", async () => {
    await expectError(await admin("GET", "/users/not-an-id"), 404, "not_found");
  });

  it("GET and disable of a well-formed id that does not exist → 404 not_found", async () => {
    await expectError(await admin("GET", "/users/AAAAAAAAAAAAAAAAAAAAAA"), 404, "not_found");
    await expectError(await admin("POST", "/users/AAAAAAAAAAAAAAAAAAAAAA/disable"), 404, "not_found");
  });

  it("POST /admin/users/not-an-id/disable → 404 not_found", async () => {
    await expectError(await admin("POST", "/users/not-an-id/disable"), 404, "not_found");
  });

  it("GET /admin/users without an email parameter → 400 naming email", async () => {
    await expectError(await admin("GET", "/users"), 400, "invalid_request", "email");
    await expectError(await admin("GET", "/users?email="), 400, "invalid_request", "email");
  });

  it("GET /admin/users with two email parameters → 400", async () => {
    await expectError(await admin("GET", "/users?email=a%40example.com&email=b%40example.com"), 400, "invalid_request", "email");
  });

  it("GET /admin/users?email=<not an email> → 400; an unknown email → 404", async () => {
    await expectError(await admin("GET", "/users?email=not-an-email"), 400, "invalid_request", "email");
    await expectError(await admin("GET", "/users?email=%E0%A4%A"), 400, "invalid_request", "email");
    await expectError(await admin("GET", "/users?email=nobody%40example.com"), 404, "not_found");
  });

  const badClientIds = ["bad%20id", "bad%2Fid", "%E0%A4%A", "a".repeat(129), "caf%C3%A9"];
  it.each(badClientIds)("client id %s → 400 on GET, PUT, DELETE and rotate-secret", async (id) => {
    await expectError(await admin("GET", `/clients/${id}`), 400, "invalid_request", "client_id");
    await expectError(await admin("PUT", `/clients/${id}`, CLIENT), 400, "invalid_request", "client_id");
    await expectError(await admin("DELETE", `/clients/${id}`), 400, "invalid_request", "client_id");
    await expectError(await admin("POST", `/clients/${id}/rotate-secret`), 400, "invalid_request", "client_id");
  });

  it("a well-formed client id that does not exist → 404 on GET, DELETE and rotate-secret", async () => {
    await expectError(await admin("GET", "/clients/no-such-client"), 404, "not_found");
    await expectError(await admin("DELETE", "/clients/no-such-client"), 404, "not_found");
    await expectError(await admin("POST", "/clients/no-such-client/rotate-secret"), 404, "not_found");
  });

  it("an unknown operator path or method → 404 not_found", async () => {
    await expectError(await admin("GET", "/nothing-here"), 404, "not_found");
    await expectError(await admin("PATCH", `/clients/${CLIENT_ID}`, CLIENT), 404, "not_found");
    await expectError(await admin("POST", "/clients", CLIENT), 404, "not_found");
  });
});

const allRoutes: Array<[method: string, path: string]> = [
  ["POST", "/users"],
  ["POST", "/users/password-check"],
  ["GET", `/users?email=${encodeURIComponent(EMAIL)}`],
  ["GET", "/users/AAAAAAAAAAAAAAAAAAAAAA"],
  ["POST", "/users/AAAAAAAAAAAAAAAAAAAAAA/disable"],
  ["GET", "/clients"],
  ["GET", `/clients/${CLIENT_ID}`],
  ["PUT", `/clients/${CLIENT_ID}`],
  ["DELETE", `/clients/${CLIENT_ID}`],
  ["POST", `/clients/${CLIENT_ID}/rotate-secret`],
  ["GET", "/shards"],
];

function bodyFor(path: string): string | undefined {
  if (path === "/users" || path === "/users/password-check") return JSON.stringify(USER);
  if (path === `/clients/${CLIENT_ID}`) return JSON.stringify(CLIENT);
  return undefined;
}

function request(method: string, path: string, authorization?: string): Promise<Response> {
  const body = method === "GET" || method === "DELETE" ? undefined : bodyFor(path);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (authorization !== undefined) headers.Authorization = authorization;
  return call(`/admin${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

describe("operator authentication", () => {
  it.each(allRoutes)("%s %s without Authorization → 401 with a Bearer challenge", async (method, path) => {
    const res = await request(method, path);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer\b/);
    await expectError(res, 401, "invalid_token");
  });

  it.each(allRoutes)("%s %s with a wrong token → 401 error=\"invalid_token\"", async (method, path) => {
    const res = await request(method, path, `Bearer ${ADMIN_TOKEN}x`);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer\b/);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    await expectError(res, 401, "invalid_token");
  });

  it.each([
    ["Basic with the token as password", `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}`],
    ["the bare token", ADMIN_TOKEN],
    ["two spaces after Bearer", `Bearer  ${ADMIN_TOKEN}`],
    ["a token prefix", `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
  ])("%s → 401", async (_label, authorization) => {
    const res = await request("GET", "/clients", authorization);
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer\b/);
    await expectError(res, 401, "invalid_token");
  });

  it("an unauthenticated write changes nothing", async () => {
    expect((await request("POST", "/users", `Bearer wrong-${ADMIN_TOKEN}`)).status).toBe(401);
    expect((await request("PUT", `/clients/${CLIENT_ID}`)).status).toBe(401);
    await expectError(await admin("GET", `/users?email=${encodeURIComponent(EMAIL)}`), 404, "not_found");
    await expectError(await admin("GET", `/clients/${CLIENT_ID}`), 404, "not_found");
  });

  it("with ADMIN_TOKEN unset the operator API answers 404, whatever the credentials", async () => {
    for (const adminToken of [undefined, ""]) {
      const off = { ...env, ADMIN_TOKEN: adminToken };
      for (const authorization of ["Bearer anything", `Bearer ${ADMIN_TOKEN}`, undefined]) {
        const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
        const res = await app.request("/admin/users/x", { headers }, off);
        expect(res.headers.get("WWW-Authenticate")).toBeNull();
        await expectError(res, 404, "not_found");
      }
      const put = await app.request(
        `/admin/clients/${CLIENT_ID}`,
        { method: "PUT", body: JSON.stringify(CLIENT), headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" } },
        off,
      );
      await expectError(put, 404, "not_found");
    }
  });
});

describe("no partial writes after all the failed requests above", () => {
  it("the email never used in a rejected create is unknown", async () => {
    await expectError(await admin("GET", `/users?email=${encodeURIComponent(EMAIL)}`), 404, "not_found");
    const check = await admin("POST", "/users/password-check", USER);
    expect(check.status).toBe(200);
    expect(await json(check)).toEqual({ valid: false });
  });

  it("no shard holds a user more and the email index has no entry more", async () => {
    const { shards, emails } = await usersNow();
    expect(shards.length).toBeGreaterThan(0);
    for (const shard of shards) expect(shard, shard.name).toMatchObject({ users: before.shards.find((s) => s.name === shard.name)?.users ?? 0 });
    expect(emails).toBe(before.emails);
  });

  it("GET /admin/clients lists no client more", async () => {
    expect(await clientsNow()).toEqual(before.clients);
  });
});
