import { describe, expect, it } from "vitest";
import { UsageError } from "../../cli/lib/args.ts";
import { clientClaimsRequest, listOf, memberRequest, roleRequest, userAccessRequest } from "../../cli/lib/access-commands.ts";

/** `npm run access`: roles, groups, a user's access and a client's role claims as operator API requests. */
describe("npm run access", () => {
  it("role: permissions from a comma list, client and condition passed as given", () => {
    expect(roleRequest({ name: "fin ance", permissions: "ledger:read, ledger:write", client: "app", condition: '{"attribute":"department","equals":"Finance"}' })).toEqual({
      method: "PUT",
      path: "/admin/roles/fin%20ance",
      body: { permissions: ["ledger:read", "ledger:write"], client_id: "app", condition: { attribute: "department", equals: "Finance" } },
    });
    expect(() => roleRequest({ name: "x", condition: "department == Finance" })).toThrow(UsageError);
  });

  it("user: reads without --roles/--attributes, replaces with them; attributes must be an object", () => {
    expect(userAccessRequest({ user: "u1" })).toEqual({ method: "GET", path: "/admin/users/u1/access" });
    expect(userAccessRequest({ user: "u1", roles: "", attributes: '{"department":"Sales"}' })).toEqual({ method: "PUT", path: "/admin/users/u1/access", body: { roles: [], attributes: { department: "Sales" } } });
    expect(() => userAccessRequest({ user: "u1", attributes: "[1]" })).toThrow(/JSON object/);
  });

  it("client-claims: only roles, groups, permissions", () => {
    expect(clientClaimsRequest({ client: "app", "id-token": "roles,groups", userinfo: "permissions" }).body).toEqual({ id_token: ["roles", "groups"], access_token: [], userinfo: ["permissions"] });
    expect(() => clientClaimsRequest({ client: "app", "id-token": "roles,email" })).toThrow(/email is not one of/);
  });

  it("members and lists", () => {
    expect(memberRequest({ group: "g", user: "u" }, false)).toEqual({ method: "DELETE", path: "/admin/groups/g/members/u" });
    expect(listOf(" a, ,b ")).toEqual(["a", "b"]);
  });
});
