// Operator commands for LDAP / Active Directory: `npm run ldap -- <command> [options]`.
import { adminClient } from "./lib/admin-client.ts";
import { bodyObject, expectStatus as expect, print, runCommands, simpleCommand, type Command } from "./lib/admin-commands.ts";

interface SyncSummary {
  seen: number;
  created: number;
  updated: number;
  unchanged: number;
  disabled: number;
  conflicts: number;
}

interface DirectoryLink {
  dn: string;
  groups: string[];
  roles: string[];
  state: string;
  synced_at: number;
}

export function formatSummary(s: SyncSummary): string {
  return `directory sync: ${s.seen} entries — ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.disabled} disabled, ${s.conflicts} conflicts (email of a local account)`;
}

export function formatLink(id: string, l: DirectoryLink): string {
  return [`user ${id} from the directory (${l.state})`, `  dn:      ${l.dn}`, `  groups:  ${l.groups.join("; ") || "(none)"}`, `  roles:   ${l.roles.join(", ") || "(none)"}`, `  synced:  ${new Date(l.synced_at).toISOString()}`].join("\n");
}

const commands: Record<string, Command> = {
  sync: simpleCommand("ldap", "sync", "Sync users and groups from the directory now (created, updated, disabled).", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("POST", "/admin/ldap/sync");
    expect(res, [200]);
    print(v.json, res, () => formatSummary(bodyObject<SyncSummary>(res, "summary")));
  }),
  user: simpleCommand(
    "ldap",
    "user",
    "Show a user's directory entry: DN, groups, mapped roles, state.",
    { id: { type: "string", required: true, placeholder: "ID", description: "User id." } },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("GET", `/admin/users/${encodeURIComponent(v.id)}/ldap`);
      expect(res, [200], `no directory user with id ${v.id}`);
      print(v.json, res, () => formatLink(v.id, bodyObject<DirectoryLink>(res, "ldap")));
    },
  ),
};

runCommands("ldap", commands);
