// Operator commands for roles, groups and SCIM provisioning: `npm run access -- <command> [options]`.
import type { Options } from "./lib/args.ts";
import { adminClient } from "./lib/admin-client.ts";
import { expectStatus as expect, print, runCommands, simpleCommand, type Command, type CommonValues } from "./lib/admin-commands.ts";
import { clientClaimsRequest, groupRequest, memberRequest, roleRequest, userAccessRequest, type AccessRequest } from "./lib/access-commands.ts";

function command<O extends Options>(name: string, summary: string, options: O, build: (v: CommonValues<O>) => AccessRequest, ok = [200, 201, 204]): Command {
  return simpleCommand("access", name, summary, options, async (v) => {
    const req = build(v);
    const common = v as unknown as { url?: string; json: boolean };
    const res = await adminClient({ url: common.url }).request(req.method, req.path, req.body);
    expect(res, ok);
    print(common.json, res, () => (res.status === 204 ? "done" : JSON.stringify(res.body, null, 2)));
  });
}

function str(placeholder: string, description: string): { type: "string"; placeholder: string; description: string };
function str(placeholder: string, description: string, required: true): { type: "string"; placeholder: string; description: string; required: true };
function str(placeholder: string, description: string, required?: true) {
  return { type: "string", placeholder, description, ...(required ? { required } : {}) };
}

const commands: Record<string, Command> = {
  role: command(
    "role",
    "Define a role (create or replace) with its permissions, optionally for one client and under an ABAC condition.",
    {
      name: str("NAME", "Role name.", true),
      permissions: str("LIST", "Permissions, comma-separated."),
      client: str("CLIENT_ID", "Only in tokens for this client."),
      description: str("TEXT", "What the role is for."),
      condition: str("JSON", `Condition, e.g. '{"all":[{"attribute":"department","equals":"Finance"},{"time":{"hours":[8,18]}}]}'.`),
    } as const,
    roleRequest,
  ),
  roles: command("roles", "List roles with permissions and conditions.", {}, () => ({ method: "GET", path: "/admin/roles" })),
  "delete-role": command("delete-role", "Delete a role.", { name: str("NAME", "Role name.", true) } as const, (v) => ({ method: "DELETE", path: `/admin/roles/${encodeURIComponent(v.name)}` })),
  group: command("group", "Create a group whose members get the given roles.", { name: str("NAME", "Display name.", true), roles: str("LIST", "Roles, comma-separated.") } as const, groupRequest),
  groups: command("groups", "List groups.", {}, () => ({ method: "GET", path: "/admin/groups" })),
  "add-member": command("add-member", "Add a user to a group.", { group: str("ID", "Group id.", true), user: str("ID", "User id.", true) } as const, (v) => memberRequest(v, true)),
  "remove-member": command("remove-member", "Remove a user from a group.", { group: str("ID", "Group id.", true), user: str("ID", "User id.", true) } as const, (v) => memberRequest(v, false)),
  user: command(
    "user",
    "Show a user's roles, groups and attributes; with --roles or --attributes, set them.",
    { user: str("ID", "User id.", true), roles: str("LIST", "Direct roles, comma-separated (replaces)."), attributes: str("JSON", `Policy attributes (replaces), e.g. '{"department":"Finance"}'.`) } as const,
    userAccessRequest,
  ),
  "client-claims": command(
    "client-claims",
    "Choose which of roles, groups, permissions a client gets in its ID token, access token and userinfo.",
    { client: str("CLIENT_ID", "Client id.", true), "id-token": str("LIST", "Claims in the ID token."), "access-token": str("LIST", "Claims in the access token."), userinfo: str("LIST", "Claims at /userinfo.") } as const,
    clientClaimsRequest,
  ),
  "scim-client": command("scim-client", "Create a SCIM provisioning client; prints its bearer token once.", { name: str("NAME", "Name (e.g. the IdP).", true) } as const, (v) => ({ method: "POST", path: "/admin/scim-clients", body: { name: v.name } })),
  "scim-clients": command("scim-clients", "List SCIM provisioning clients.", {}, () => ({ method: "GET", path: "/admin/scim-clients" })),
  "revoke-scim-client": command("revoke-scim-client", "Revoke a SCIM client's token.", { id: str("ID", "SCIM client id.", true) } as const, (v) => ({ method: "DELETE", path: `/admin/scim-clients/${encodeURIComponent(v.id)}` })),
};

runCommands("access", commands);
