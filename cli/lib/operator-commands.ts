// Admin console: operators (who may sign in to /admin) and scoped operator API tokens,
// as commands of `npm run users -- …`. Each is one operator API request.
import { CliError } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { bodyObject, expectStatus as expect, print, simpleCommand, type Command } from "./admin-commands.ts";

interface OperatorRow {
  user_id: string;
  email: string | null;
  role: string;
  granted_at: number;
  granted_by: string;
}

interface TokenRow {
  id: string;
  name: string;
  scope: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

function oneOf(value: string, allowed: readonly string[], flag: string): string {
  if (!allowed.includes(value)) throw new CliError(`${flag} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return value;
}

export const operatorCommands: Record<string, Command> = {
  "grant-operator": simpleCommand(
    "users",
    "grant-operator",
    "Let a user into the admin console (/admin) as viewer (read only) or admin.",
    {
      email: { type: "string", required: true, placeholder: "EMAIL", description: "The user's email address." },
      role: { type: "string", required: true, placeholder: "ROLE", description: "viewer or admin." },
    },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("POST", "/admin/operators", { email: v.email, role: oneOf(v.role, ["viewer", "admin"], "--role") });
      expect(res, [201], `no user with email ${v.email}`);
      const row = bodyObject<OperatorRow>(res, "operator");
      print(v.json, res, () => `${row.email} (${row.user_id}) is now ${row.role === "admin" ? "an admin" : "a viewer"} of the console`);
    },
  ),
  "revoke-operator": simpleCommand("users", "revoke-operator", "Take a user's console access away.", { id: { type: "string", required: true, placeholder: "ID", description: "User id." } }, async (v) => {
    const res = await adminClient({ url: v.url }).request("DELETE", `/admin/operators/${encodeURIComponent(v.id)}`);
    expect(res, [204], `user ${v.id} is not an operator`);
    print(v.json, res, () => `user ${v.id} is no longer an operator`);
  }),
  operators: simpleCommand("users", "operators", "List the console's operators.", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/operators");
    expect(res, [200]);
    const rows = (res.body as { operators: OperatorRow[] }).operators;
    print(v.json, res, () => (rows.length === 0 ? "no operators" : rows.map((o) => `  ${(o.email ?? o.user_id).padEnd(32)} ${o.role.padEnd(7)} granted ${iso(o.granted_at)} by ${o.granted_by}`).join("\n")));
  }),
  "create-token": simpleCommand(
    "users",
    "create-token",
    "Create an operator API token (shown once).",
    {
      name: { type: "string", required: true, placeholder: "NAME", description: "What the token is for (shown in the audit trail)." },
      scope: { type: "string", required: true, placeholder: "SCOPE", description: "read (GET only) or full." },
    },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("POST", "/admin/operator-tokens", { name: v.name, scope: oneOf(v.scope, ["read", "full"], "--scope") });
      expect(res, [201]);
      const body = res.body as { token: TokenRow; secret: string };
      print(v.json, res, () => `token ${body.token.id} (${body.token.scope}) "${body.token.name}":\n  ${body.secret}\nShown once: store it now.`);
    },
  ),
  "revoke-token": simpleCommand("users", "revoke-token", "Revoke an operator API token.", { id: { type: "string", required: true, placeholder: "ID", description: "Token id, as listed by `tokens`." } }, async (v) => {
    const res = await adminClient({ url: v.url }).request("DELETE", `/admin/operator-tokens/${encodeURIComponent(v.id)}`);
    expect(res, [204], `no live token ${v.id}`);
    print(v.json, res, () => `revoked token ${v.id}`);
  }),
  tokens: simpleCommand("users", "tokens", "List operator API tokens (never their secrets).", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/operator-tokens");
    expect(res, [200]);
    const rows = (res.body as { tokens: TokenRow[] }).tokens;
    print(v.json, res, () => (rows.length === 0 ? "no tokens" : rows.map((t) => `  ${t.id}  ${t.scope.padEnd(4)}  ${t.name}  by ${t.created_by}  last used ${iso(t.last_used_at)}${t.revoked_at ? `  revoked ${iso(t.revoked_at)}` : ""}`).join("\n")));
  }),
};
