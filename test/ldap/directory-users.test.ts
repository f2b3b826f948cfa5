import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import { applyDirectoryUser } from "../../src/router/ldap/accounts";
import type { DirectoryProfile } from "../../src/router/ldap/profile";
import { admin, json } from "../helpers/http";
import { createUser, registerClient } from "../helpers/oidc";
import { askForCode, challengeCount, startAuthorize } from "../email/helpers";

/**
 * What the provider does with what the directory said (src/router/ldap/accounts.ts and the
 * shard's ldap.ts), without a directory: the same calls a sign-in or a sync makes with a
 * profile read from LDAP. The LDAP exchanges themselves are tested against slapd in test/browser/ldap.test.ts.
 */

const config = loadConfig(env);

function profile(overrides: Partial<DirectoryProfile> = {}): DirectoryProfile {
  const uid = crypto.randomUUID().slice(0, 8);
  return { dn: `uid=${uid},ou=people,dc=example,dc=org`, email: `${uid}@directory.example`, name: "Dee Rectory", givenName: "Dee", familyName: "Rectory", disabled: false, groups: ["cn=staff,ou=groups,dc=example,dc=org"], roles: ["staff"], ...overrides };
}

async function userView(id: string) {
  const res = await admin("GET", `/users/${id}`);
  return (await json<{ user: { disabled: boolean; name: string; email_verified: boolean } }>(res)).user;
}

async function directRoles(id: string): Promise<string[]> {
  const res = await admin("GET", `/users/${id}/access`);
  expect(res.status).toBe(200);
  return [...(await json<{ roles: string[] }>(res)).roles].sort();
}

async function link(id: string) {
  const res = await admin("GET", `/users/${id}/ldap`);
  return { status: res.status, body: await json<{ ldap?: { state: string; groups: string[]; roles: string[] } }>(res) };
}

describe("directory users in the provider", () => {
  let clientId: string;
  beforeAll(async () => {
    clientId = (await registerClient("public")).clientId;
  });

  it("the first sign-in creates the user with a verified email; the next ones find it and only record changes", async () => {
    const p = profile();
    const first = await applyDirectoryUser(env, config, p, "active", "sign_in");
    expect(first).toMatchObject({ ok: true, change: "created" });
    const id = (first as { userId: string }).userId;
    expect(await userView(id)).toMatchObject({ name: "Dee Rectory", email_verified: true, disabled: false });
    expect(await applyDirectoryUser(env, config, p, "active", "sync")).toMatchObject({ ok: true, userId: id, change: "unchanged" });
    expect(await applyDirectoryUser(env, config, { ...p, name: "Dee Renamed", groups: [], roles: [] }, "active", "sync")).toMatchObject({ change: "updated" });
    expect((await link(id)).body.ldap).toMatchObject({ state: "active", groups: [], roles: [] });
  });

  it("a local account's email is never taken over by a directory entry", async () => {
    const local = await createUser();
    expect(await applyDirectoryUser(env, config, profile({ email: local.email }), "active", "sign_in")).toEqual({ ok: false, reason: "conflict" });
    expect((await link(local.id)).status).toBe(404);
  });

  it("disabled in the directory: the user is disabled and its sessions end; re-enabled there, it comes back", async () => {
    const p = profile();
    const created = (await applyDirectoryUser(env, config, p, "active", "sign_in")) as { userId: string };
    const user = await userView(created.userId);
    expect(user.disabled).toBe(false);
    expect(await applyDirectoryUser(env, config, p, "disabled", "sync")).toMatchObject({ change: "disabled" });
    expect((await userView(created.userId)).disabled).toBe(true);
    expect(await applyDirectoryUser(env, config, p, "active", "sync")).toMatchObject({ change: "updated" });
    expect((await userView(created.userId)).disabled).toBe(false);
  });

  it("a user the operator disabled stays disabled whatever the directory says", async () => {
    const p = profile();
    const created = (await applyDirectoryUser(env, config, p, "active", "sign_in")) as { userId: string };
    expect((await admin("POST", `/users/${created.userId}/disable`)).status).toBe(200);
    await applyDirectoryUser(env, config, p, "active", "sync");
    expect((await userView(created.userId)).disabled).toBe(true);
  });

  it("a directory entry that never signed in is not created disabled", async () => {
    expect(await applyDirectoryUser(env, config, profile(), "disabled", "sync")).toEqual({ ok: false, reason: "not_created" });
  });

  it("no password reset code for a directory user: the password is the directory's (a local user still gets one)", async () => {
    const p = profile();
    await applyDirectoryUser(env, config, p, "active", "sign_in");
    const before = await challengeCount();
    await askForCode(await startAuthorize(clientId), p.email, "/forgot-password");
    expect(await challengeCount()).toBe(before);
    const local = await createUser();
    await askForCode(await startAuthorize(clientId), local.email, "/forgot-password");
    expect(await challengeCount()).toBe(before + 1);
  });

  it("roles mapped from directory groups are the user's RBAC roles: an operator's own role survives a sync, a dropped group's role goes", async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    const [staff, admins, auditor] = [`staff-${tag}`, `admins-${tag}`, `auditor-${tag}`];
    for (const name of [staff, admins, auditor]) expect((await admin("PUT", `/roles/${name}`, { permissions: [] })).status).toBe(200);
    const p = profile({ groups: ["cn=staff,ou=groups,dc=example,dc=org", "cn=admins,ou=groups,dc=example,dc=org"], roles: [staff, admins] });
    const id = ((await applyDirectoryUser(env, config, p, "active", "sign_in")) as { userId: string }).userId;
    expect(await directRoles(id)).toEqual([admins, staff].sort());

    expect((await admin("PUT", `/users/${id}/access`, { roles: [staff, admins, auditor] })).status).toBe(200);
    expect(await applyDirectoryUser(env, config, { ...p, groups: ["cn=staff,ou=groups,dc=example,dc=org"], roles: [staff] }, "active", "sync")).toMatchObject({ change: "updated" });
    expect(await directRoles(id)).toEqual([auditor, staff].sort());

    // An unchanged sync writes nothing; gone from the directory, its roles go and the operator's stays.
    expect(await applyDirectoryUser(env, config, { ...p, roles: [staff] }, "active", "sync")).toMatchObject({ change: "updated" });
    const version = (await json<{ version: number }>(await admin("GET", `/users/${id}/access`))).version;
    expect(await applyDirectoryUser(env, config, { ...p, roles: [staff] }, "active", "sync")).toMatchObject({ change: "unchanged" });
    expect((await json<{ version: number }>(await admin("GET", `/users/${id}/access`))).version).toBe(version);
    await applyDirectoryUser(env, config, { ...p, groups: [], roles: [] }, "removed", "sync");
    expect(await directRoles(id)).toEqual([auditor]);
  });
});
