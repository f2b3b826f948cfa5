import { beforeAll, describe, expect, it } from "vitest";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { bucketOf } from "../../src/shard/bucket";
import { shardOf } from "../../src/shard/map";
import { currentDirectoryMap, rowsIn } from "../helpers/shards";
import { envWith, Outage, sender, unreachableD1 } from "../degradation/outage";
import { ENTERPRISE, ERROR_SCHEMA, newUser, PATCH_OP, scim, scimToken, uniqueEmail, USER_SCHEMA } from "./helpers";

let token: string;
type Resource = Record<string, any>;

beforeAll(async () => {
  token = await scimToken();
});

async function created(body: Record<string, unknown> = newUser()): Promise<{ res: Response; user: Resource }> {
  const res = await scim(token, "POST", "/Users", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return { res, user: await json<Resource>(res) };
}

describe("SCIM Users (RFC 7644 §3)", () => {
  it("§3.3 create → §3.4.1 get: the same user the provider signs in, with ETag, Location and the enterprise extension (RFC 7643 §4.3)", async () => {
    const email = uniqueEmail();
    const { res, user } = await created(newUser(email, { externalId: "ext-1", displayName: "Grace H", [ENTERPRISE]: { department: "Research", employeeNumber: "42", manager: { value: "boss" } }, schemas: [USER_SCHEMA, ENTERPRISE] }));
    expect(res.headers.get("Content-Type")).toContain("application/scim+json");
    expect(res.headers.get("Location")).toBe(user.meta.location);
    expect(res.headers.get("ETag")).toBe(user.meta.version);
    expect(user).toMatchObject({ userName: email, externalId: "ext-1", displayName: "Grace H", active: true, name: { givenName: "Grace", familyName: "Hopper" }, [ENTERPRISE]: { department: "Research", employeeNumber: "42", manager: { value: "boss" } }, meta: { resourceType: "User" } });
    const got = await json<Resource>(await scim(token, "GET", `/Users/${user.id}`));
    expect(got).toEqual(user);
    // The operator API sees the same user, found by the email index.
    const viaAdmin = await json<{ user: { id: string } }>(await admin("GET", `/users?email=${encodeURIComponent(email)}`));
    expect(viaAdmin.user.id).toBe(user.id);
    // And the department is a policy attribute for roles.
    expect(await json(await admin("GET", `/users/${user.id}/access`))).toMatchObject({ attributes: { department: "Research", employee_number: "42" } });
  });

  it("§3.3: a second user with the same userName is 409 uniqueness; a userName that is no email is 400 invalidValue; nothing is created", async () => {
    const email = uniqueEmail();
    await created(newUser(email));
    const dup = await scim(token, "POST", "/Users", newUser(email.toUpperCase()));
    expect(dup.status).toBe(409);
    expect(await json(dup)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "409", scimType: "uniqueness" });
    const bad = await scim(token, "POST", "/Users", newUser("not-an-email"));
    expect(await json(bad)).toMatchObject({ status: "400", scimType: "invalidValue" });
    const list = await json<Resource>(await scim(token, "GET", `/Users?filter=${encodeURIComponent('userName eq "not-an-email"')}`));
    expect(list.totalResults).toBe(0);
  });

  it("§3.4.2.2 filters (eq co sw pr and or not) on userName, emails.value, externalId, displayName, §3.4.2.4 pagination", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await created(newUser(`f${i}-${tag}@corp.example`, { externalId: `x-${tag}-${i}`, displayName: `Filter ${tag} ${i}` }))).user.id);
    const find = async (filter: string, extra = "") => json<Resource>(await scim(token, "GET", `/Users?filter=${encodeURIComponent(filter)}${extra}`));
    expect((await find(`userName eq "F1-${tag}@corp.example"`)).Resources.map((r: Resource) => r.id)).toEqual([ids[1]]);
    expect((await find(`emails.value co "${tag}"`)).totalResults).toBe(3);
    expect((await find(`externalId sw "x-${tag}-" and not (displayName eq "Filter ${tag} 0")`)).totalResults).toBe(2);
    expect((await find(`externalId eq "x-${tag}-0" or displayName eq "Filter ${tag} 2"`)).Resources.map((r: Resource) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await find(`displayName sw "Filter ${tag}" and externalId pr`)).totalResults).toBe(3);
    const page = await find(`emails co "${tag}"`, "&startIndex=2&count=1");
    expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.Resources[0].id).toBe(ids[1]);
    for (const bad of ['password eq "x"', 'userName zz "x"', 'userName eq "unterminated', "(userName eq \"a\""]) {
      const res = await scim(token, "GET", `/Users?filter=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(await json(res)).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: "invalidFilter" });
    }
  });

  it("§3.5.2 PATCH replace/add/remove (with and without path, value filters, enterprise paths), §3.14 ETag: a stale If-Match is 412 and writes nothing", async () => {
    const { user } = await created();
    const patch = (ops: unknown[], headers: Record<string, string> = {}) => scim(token, "PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: ops }, headers);
    let res = await patch([
      { op: "replace", path: "name.givenName", value: "Amazing" },
      { op: "add", path: 'phoneNumbers[type eq "work"].value', value: "+81 3 0000 0000" },
      { op: "replace", path: `${ENTERPRISE}:department`, value: "Navy" },
      { op: "replace", value: { displayName: "Amazing Grace", title: "Rear Admiral" } },
    ], { "If-Match": user.meta.version });
    expect(res.status).toBe(200);
    const patched = await json<Resource>(res);
    expect(patched).toMatchObject({ name: { givenName: "Amazing", familyName: "Hopper" }, displayName: "Amazing Grace", title: "Rear Admiral", phoneNumbers: [{ type: "work", value: "+81 3 0000 0000" }], [ENTERPRISE]: { department: "Navy" } });
    expect(patched.meta.version).not.toBe(user.meta.version);
    // The old version is stale now: 412, and the user is unchanged.
    res = await patch([{ op: "replace", path: "displayName", value: "Lost update" }], { "If-Match": user.meta.version });
    expect(res.status).toBe(412);
    expect((await json<Resource>(await scim(token, "GET", `/Users/${user.id}`))).displayName).toBe("Amazing Grace");
    res = await patch([{ op: "remove", path: "title" }, { op: "remove", path: 'phoneNumbers[type eq "work"]' }]);
    const removed = await json<Resource>(res);
    expect(removed).not.toHaveProperty("title");
    expect(removed.phoneNumbers).toEqual([]);
    for (const [ops, scimType] of [[[{ op: "move", path: "title", value: "x" }], "invalidSyntax"], [[{ op: "add", path: "groups", value: [{ value: "g" }] }], "mutability"], [[{ op: "replace", path: "a[[", value: 1 }], "invalidPath"], [[{ op: "replace", path: "active", value: "maybe" }], "invalidValue"]] as const) {
      const bad = await patch(ops as unknown as unknown[]);
      expect(bad.status).toBe(400);
      expect(await json(bad)).toMatchObject({ scimType });
    }
  });

  it("active=false (PATCH) disables the user and ends its sessions: the client's next refresh fails (RFC 6749 §5.2 invalid_grant); PUT replaces; DELETE removes the user and frees the userName", async () => {
    const email = uniqueEmail();
    const { user } = await created(newUser(email, { password: "provisioned password 1" }));
    const app = await registerClient("confidential");
    const issued = await issueCode(app.clientId, { user: { email, password: "provisioned password 1" } });
    const tokens = await json<{ refresh_token: string }>(await tokenRequest(redeemFields(issued), basic(app.clientId, app.secret!)));
    const res = await scim(token, "PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(res.status).toBe(200);
    expect((await json<Resource>(res)).active).toBe(false);
    const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(app.clientId, app.secret!));
    expect(refresh.status).toBe(400);
    expect(await json(refresh)).toMatchObject({ error: "invalid_grant" });

    const renamed = uniqueEmail("renamed");
    const put = await scim(token, "PUT", `/Users/${user.id}`, newUser(renamed, { active: true, displayName: "Replaced" }));
    expect(put.status, "PUT " + (await put.clone().text())).toBe(200);
    expect(await json(put)).toMatchObject({ userName: renamed, active: true, displayName: "Replaced" });
    // The old address is free again, the new one is taken.
    expect((await admin("GET", `/users?email=${encodeURIComponent(email)}`)).status).toBe(404);

    expect((await scim(token, "DELETE", `/Users/${user.id}`)).status).toBe(204);
    expect((await scim(token, "GET", `/Users/${user.id}`)).status).toBe(404);
    // Nothing of the user is left in its shard but its audit events: the session, grant,
    // consent and password it had are gone with it.
    const shard = shardOf(await currentDirectoryMap(), bucketOf(user.id));
    for (const table of ["credentials", "sessions", "consents", "grants", "user_access"]) expect(await rowsIn(shard, table, "user_id = ?", user.id), table).toEqual([]);
    expect(await rowsIn(shard, "users", "id = ?", user.id)).toEqual([]);
    const again = await scim(token, "POST", "/Users", newUser(renamed));
    expect(again.status, await again.clone().text()).toBe(201);
  });

  it("races: two IdP creates of one userName give one 201 and one 409; two PATCHes with the same If-Match give one 200 and one 412 (§3.14)", async () => {
    const email = uniqueEmail("race");
    const creates = await Promise.all([scim(token, "POST", "/Users", newUser(email)), scim(token, "POST", "/Users", newUser(email))]);
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409]);
    const user = await json<Resource>(creates.find((r) => r.status === 201)!);
    const body = (value: string) => ({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value }] });
    const patches = await Promise.all(["one", "two"].map((v) => scim(token, "PATCH", `/Users/${user.id}`, body(v), { "If-Match": user.meta.version })));
    expect(patches.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = await json<Resource>(patches.find((r) => r.status === 200)!);
    expect((await json<Resource>(await scim(token, "GET", `/Users/${user.id}`))).displayName).toBe(winner.displayName);
  });

  it("RFC 7644 §2: no token or a wrong or revoked token is 401 in the SCIM error schema", async () => {
    expect((await scim("nope", "GET", "/Users")).status).toBe(401);
    const other = await scimToken("revoked IdP");
    const list = await json<{ scim_clients: { id: string; name: string }[] }>(await admin("GET", "/scim-clients"));
    const id = list.scim_clients.filter((c) => c.name === "revoked IdP").at(-1)!.id;
    expect((await scim(other, "GET", "/Users?count=1")).status).toBe(200);
    expect((await admin("DELETE", `/scim-clients/${id}`)).status).toBe(204);
    const res = await scim(other, "GET", "/Users?count=1");
    expect(res.status).toBe(401);
    expect(await json(res)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "401" });
  });

  it("D1 unreachable: 503 in the SCIM error schema with Retry-After, so the IdP retries (RFC 7644 §3.12)", async () => {
    const res = await sender(envWith({ DB: unreachableD1(new Outage()) }))("/scim/v2/Users", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
      body: JSON.stringify(newUser()),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await json(res)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "503" });
  });

  it("RFC 7644 §4: ServiceProviderConfig, ResourceTypes and Schemas describe what is supported", async () => {
    const config = await json<Resource>(await scim(token, "GET", "/ServiceProviderConfig"));
    expect(config).toMatchObject({ patch: { supported: true }, bulk: { supported: true, maxOperations: 100 }, filter: { supported: true, maxResults: 100 }, etag: { supported: true }, sort: { supported: false }, changePassword: { supported: false } });
    const types = await json<Resource>(await scim(token, "GET", "/ResourceTypes"));
    expect(types.Resources.map((t: Resource) => t.id)).toEqual(["User", "Group"]);
    expect(types.Resources[0].schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }]);
    const schemas = await json<Resource>(await scim(token, "GET", "/Schemas"));
    expect(schemas.Resources.map((s: Resource) => s.id)).toEqual([USER_SCHEMA, ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:Group"]);
    expect((await scim(token, "GET", `/Schemas/${ENTERPRISE}`)).status).toBe(200);
    expect((await scim(token, "GET", "/Nope")).status).toBe(404);
  });
});
