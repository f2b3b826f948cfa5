import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { basic, issueCode, redeemFields, tokenRequest } from "../helpers/codes";
import { admin, json } from "../helpers/http";
import { registerClient } from "../helpers/oidc";
import { ERROR_SCHEMA, GROUP_SCHEMA, newUser, PATCH_OP, scim, scimToken, uniqueEmail } from "./helpers";

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
let token: string;
type Resource = Record<string, any>;

beforeAll(async () => {
  token = await scimToken();
});

async function user(email = uniqueEmail()): Promise<Resource> {
  const res = await scim(token, "POST", "/Users", newUser(email, { password: "provisioned password 1" }));
  expect(res.status).toBe(201);
  return json(res);
}

async function group(displayName: string, members: string[] = []): Promise<Resource> {
  const res = await scim(token, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

const memberIds = (g: Resource) => (g.members ?? []).map((m: Resource) => m.value).sort();

describe("SCIM Groups (RFC 7644 §3, RFC 7643 §4.2)", () => {
  it("create with members, get, filter by displayName/externalId, members listed from the global index", async () => {
    const [a, b] = [await user(), await user()];
    const name = `Eng ${crypto.randomUUID().slice(0, 8)}`;
    const g = await group(name, [a.id, b.id]);
    expect(memberIds(g)).toEqual([a.id, b.id].sort());
    const got = await json<Resource>(await scim(token, "GET", `/Groups/${g.id}`));
    expect(memberIds(got)).toEqual([a.id, b.id].sort());
    const slim = await json<Resource>(await scim(token, "GET", `/Groups/${g.id}?excludedAttributes=members`));
    expect(slim).not.toHaveProperty("members");
    const found = await json<Resource>(await scim(token, "GET", `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}`));
    expect(found.Resources.map((r: Resource) => r.id)).toEqual([g.id]);
    // The user's resource lists the group (RFC 7643 §4.1.2 groups, read-only).
    expect((await json<Resource>(await scim(token, "GET", `/Users/${a.id}`))).groups).toMatchObject([{ value: g.id, display: name }]);
    // A member that does not exist: 400 invalidValue, and no group is created.
    const bad = await scim(token, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: `${name} bad`, members: [{ value: "AAAAAAAAAAAAAAAAAAAAAA" }] });
    expect(await json(bad)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400", scimType: "invalidValue" });
    expect((await json<Resource>(await scim(token, "GET", `/Groups?filter=${encodeURIComponent(`displayName eq "${name} bad"`)}`))).totalResults).toBe(0);
    expect((await scim(token, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: name })).status).toBe(409);
  });

  it("PATCH members add / remove (Okta's and Entra's shapes), rename; the roles of the group reach the member's tokens; 412 on a stale If-Match", async () => {
    const email = uniqueEmail();
    const [a, b] = [await user(email), await user()];
    const g = await group(`Ops ${crypto.randomUUID().slice(0, 8)}`, [b.id]);
    const roleName = `ops-${crypto.randomUUID().slice(0, 6)}`;
    expect((await admin("PUT", `/roles/${roleName}`, { permissions: ["pager:ack"] })).status).toBe(200);
    expect((await admin("PATCH", `/groups/${g.id}`, { roles: [roleName] })).status).toBe(200);
    const patch = (ops: unknown[], headers: Record<string, string> = {}) => scim(token, "PATCH", `/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: ops }, headers);
    let res = await patch([{ op: "Add", path: "members", value: [{ value: a.id }] }]);
    expect(res.status).toBe(200);
    const afterAdd = await json<Resource>(res);
    expect(memberIds(afterAdd)).toEqual([a.id, b.id].sort());

    const app = await registerClient("confidential", { scope: "openid profile email offline_access roles groups" });
    expect((await admin("PUT", `/clients/${app.clientId}/access-claims`, { id_token: ["roles", "groups", "permissions"], access_token: [], userinfo: [] })).status).toBe(200);
    const issued = await issueCode(app.clientId, { user: { email, password: "provisioned password 1" }, scope: "openid roles groups offline_access" });
    const tokens = await json<{ id_token: string; refresh_token: string }>(await tokenRequest(redeemFields(issued), basic(app.clientId, app.secret!)));
    expect(decodeJwt(tokens.id_token)).toMatchObject({ roles: [roleName], permissions: ["pager:ack"], groups: [g.displayName] });

    // Stale ETag: nothing changes.
    res = await patch([{ op: "remove", path: "members", value: [{ value: a.id }] }], { "If-Match": g.meta.version });
    expect(res.status).toBe(412);
    // Okta: remove by value filter; Entra: replace displayName without a path.
    res = await patch([{ op: "remove", path: `members[value eq "${a.id}"]` }, { op: "Replace", value: { displayName: `${g.displayName} renamed` } }], { "If-Match": afterAdd.meta.version });
    const after = await json<Resource>(res);
    expect(memberIds(after)).toEqual([b.id]);
    expect(after.displayName).toBe(`${g.displayName} renamed`);
    const refreshed = await json<{ id_token: string }>(await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }, basic(app.clientId, app.secret!)));
    expect(decodeJwt(refreshed.id_token)).toMatchObject({ roles: [], permissions: [], groups: [] });

    expect(await json(await patch([{ op: "replace", path: "owner", value: "x" }]))).toMatchObject({ status: "400", scimType: "invalidPath" });
    expect((await scim(token, "DELETE", `/Groups/${g.id}`)).status).toBe(204);
    expect((await scim(token, "GET", `/Groups/${g.id}`)).status).toBe(404);
    expect((await json<Resource>(await scim(token, "GET", `/Users/${b.id}`))).groups).toEqual([]);
  });
});

describe("SCIM Bulk (RFC 7644 §3.7)", () => {
  it("§3.7.2 operations in order with bulkId references; one failing operation is reported and the others apply", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const dupEmail = uniqueEmail();
    await user(dupEmail);
    const res = await scim(token, "POST", "/Bulk", {
      schemas: [BULK],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "u1", data: newUser(`bulk-${tag}@corp.example`) },
        { method: "POST", path: "/Users", bulkId: "dup", data: newUser(dupEmail) },
        { method: "POST", path: "/Groups", bulkId: "g1", data: { schemas: [GROUP_SCHEMA], displayName: `Bulk ${tag}`, members: [{ value: "bulkId:u1" }] } },
        { method: "PATCH", path: "/Users/bulkId:u1", data: { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value: "Bulk One" }] } },
      ],
    });
    expect(res.status).toBe(200);
    const body = await json<Resource>(res);
    expect(body.Operations.map((o: Resource) => [o.bulkId ?? o.method, o.status])).toEqual([["u1", "201"], ["dup", "409"], ["g1", "201"], ["PATCH", "200"]]);
    expect(body.Operations[1].response).toMatchObject({ schemas: [ERROR_SCHEMA], scimType: "uniqueness" });
    const groupUrl = new URL(body.Operations[2].location).pathname.replace("/scim/v2", "");
    const g = await json<Resource>(await scim(token, "GET", groupUrl));
    const userId = body.Operations[0].location.split("/").at(-1);
    expect(memberIds(g)).toEqual([userId]);
    expect((await json<Resource>(await scim(token, "GET", `/Users/${userId}`))).displayName).toBe("Bulk One");
  });

  it("§3.7.3 failOnErrors stops after that many errors; §3.7.4 more than maxOperations is 413", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const res = await scim(token, "POST", "/Bulk", {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: "POST", path: "/Users", bulkId: "bad", data: newUser("not-an-email") },
        { method: "POST", path: "/Users", bulkId: "never", data: newUser(`never-${tag}@corp.example`) },
      ],
    });
    const body = await json<Resource>(res);
    expect(body.Operations).toHaveLength(1);
    expect(body.Operations[0]).toMatchObject({ status: "400", response: { scimType: "invalidValue" } });
    expect((await json<Resource>(await scim(token, "GET", `/Users?filter=${encodeURIComponent(`userName eq "never-${tag}@corp.example"`)}`))).totalResults).toBe(0);
    const many = Array.from({ length: 101 }, (_, i) => ({ method: "DELETE", path: `/Users/x${i}` }));
    const tooMany = await scim(token, "POST", "/Bulk", { schemas: [BULK], Operations: many });
    expect(tooMany.status).toBe(413);
    expect(await json(tooMany)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "413" });
  });
});
