// Operator commands for user accounts: `npm run users -- <command> [options]`.
import { CliError } from "./lib/args.ts";
import type { Options } from "./lib/args.ts";
import { valueOrStdin } from "./lib/stdin-value.ts";
import { adminClient } from "./lib/admin-client.ts";
import type { AdminResponse } from "./lib/admin-client.ts";
import { bodyObject, expectStatus as expect, print, runCommands, simpleCommand, type Command, type CommonValues } from "./lib/admin-commands.ts";
// Admin console: operators and operator API tokens.
import { operatorCommands } from "./lib/operator-commands.ts";

/** Exit status of check-password when the password does not match. */
const EXIT_INVALID_PASSWORD = 3;

interface User {
  id: string;
  email: string;
  email_verified?: boolean;
  name?: string | null;
  disabled?: boolean;
  created_at?: number | string;
  bucket?: number;
  shard?: string;
}

interface Session {
  sid: string;
  state: string;
  auth_time: number;
  amr?: string[];
  last_seen_at: number;
  idle_expires_at: number;
  expires_at: number;
  ended_at: number | null;
}

const email = { type: "string", required: true, placeholder: "EMAIL", description: "Email address." } as const;
const id = { type: "string", required: true, placeholder: "ID", description: "User id." } as const;
const sid = { type: "string", required: true, placeholder: "SID", description: "Session id (sid), as listed by `sessions`." } as const;
const includeOffline = {
  type: "boolean",
  description: "Also end offline access of clients whose offline tokens normally survive logout.",
} as const;

const password = {
  type: "string",
  required: true,
  placeholder: "PASSWORD",
  description: "Password; '-' reads it from standard input.",
} as const;

function command<O extends Options>(name: string, summary: string, options: O, run: (v: CommonValues<O>) => Promise<void>, notes?: string): Command {
  return simpleCommand("users", name, summary, options, run, notes);
}

const commands: Record<string, Command> = {
  create: command(
    "create",
    "Create a user with a password.",
    {
      email,
      password,
      name: { type: "string", placeholder: "NAME", description: "Display name." },
      "email-verified": { type: "boolean", description: "Mark the email address as verified." },
    },
    async (v) => {
      const body: Record<string, unknown> = {
        email: v.email,
        password: await valueOrStdin(v.password, "--password", "password"),
        email_verified: v["email-verified"],
      };
      if (v.name !== undefined) body.name = v.name;
      const res = await adminClient({ url: v.url }).request("POST", "/admin/users", body);
      expect(res, [200, 201]);
      print(v.json, res, () => `created ${formatUser(bodyObject<User>(res, "user"))}`);
    },
  ),

  get: command("get", "Show a user by id.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users/${encodeURIComponent(v.id)}`);
    expect(res, [200], `no user with id ${v.id}`);
    print(v.json, res, () => formatUser(bodyObject<User>(res, "user")));
  }),

  find: command("find", "Look up a user by email address.", { email }, async (v) => {
    const query = new URLSearchParams({ email: v.email });
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users?${query}`);
    expect(res, [200], `no user with email ${v.email}`);
    print(v.json, res, () => formatUser(bodyObject<User>(res, "user")));
  }),

  disable: command("disable", "Disable a user: sign-in and token refresh stop working.", { id }, async (v) => {
    const path = `/admin/users/${encodeURIComponent(v.id)}/disable`;
    const res = await adminClient({ url: v.url }).request("POST", path);
    expect(res, [200], `no user with id ${v.id}`);
    print(v.json, res, () => `disabled ${formatUser(bodyObject<User>(res, "user"))}`);
  }),

  sessions: command("sessions", "List a user's sessions, newest first.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users/${encodeURIComponent(v.id)}/sessions`);
    expect(res, [200], `no user with id ${v.id}`);
    print(v.json, res, () => formatSessions(v.id, sessionsOf(res)));
  }),

  "end-session": command(
    "end-session",
    "End one session: its refresh tokens and access tokens stop working at once.",
    { id, sid, "include-offline": includeOffline },
    async (v) => {
      const path = `/admin/users/${encodeURIComponent(v.id)}/sessions/${encodeURIComponent(v.sid)}${offlineQuery(v["include-offline"])}`;
      const res = await adminClient({ url: v.url }).request("DELETE", path);
      expect(res, [200], `no session ${v.sid} for user ${v.id}`);
      const ended = (res.body as { ended?: unknown }).ended === true;
      print(v.json, res, () => (ended ? `ended session ${v.sid}` : `session ${v.sid} had already ended`));
    },
  ),

  "end-sessions": command(
    "end-sessions",
    "End every session of a user (sign out everywhere).",
    { id, "include-offline": includeOffline },
    async (v) => {
      const path = `/admin/users/${encodeURIComponent(v.id)}/sessions${offlineQuery(v["include-offline"])}`;
      const res = await adminClient({ url: v.url }).request("DELETE", path);
      expect(res, [200], `no user with id ${v.id}`);
      const ended = (res.body as { ended?: unknown }).ended;
      const count = Array.isArray(ended) ? ended.length : 0;
      print(v.json, res, () => `ended ${count} session${count === 1 ? "" : "s"} of user ${v.id}`);
    },
  ),

  "check-password": command(
    "check-password",
    "Check whether a password is the user's current password.",
    { email, password },
    async (v) => {
      const body = { email: v.email, password: await valueOrStdin(v.password, "--password", "password") };
      const res = await adminClient({ url: v.url }).request("POST", "/admin/users/password-check", body);
      expect(res, [200]);
      const valid = (res.body as { valid?: unknown }).valid === true;
      print(v.json, res, () => (valid ? `password is valid for ${v.email}` : `password is NOT valid for ${v.email}`));
      if (!valid) process.exitCode = EXIT_INVALID_PASSWORD;
    },
    `Exit status: 0 if the password is valid, ${EXIT_INVALID_PASSWORD} if not, 1 on errors.`,
  ),

  // Passkeys (WebAuthn): list a user's passkeys, remove a lost one.
  passkeys: command("passkeys", "List a user's passkeys (name, kind, added, last used).", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users/${encodeURIComponent(v.id)}/passkeys`);
    expect(res, [200], `no user with id ${v.id}`);
    const listed = ((res.body as { passkeys?: Passkey[] }).passkeys ?? []).map((p) => `  ${p.credential_id}  ${p.name}  ${p.backed_up ? "synced" : "device-bound"}  added ${formatTime(p.created_at)}  last used ${p.last_used_at === null ? "never" : formatTime(p.last_used_at)}`);
    print(v.json, res, () => (listed.length ? `passkeys of user ${v.id}\n${listed.join("\n")}` : `user ${v.id} has no passkeys`));
  }),

  "remove-passkey": command(
    "remove-passkey",
    "Remove one of a user's passkeys (a lost or stolen device).",
    { id, credential: { type: "string", required: true, placeholder: "CREDENTIAL_ID", description: "Credential id, as listed by `passkeys`." } },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("DELETE", `/admin/users/${encodeURIComponent(v.id)}/passkeys/${encodeURIComponent(v.credential)}`);
      expect(res, [200], `no passkey ${v.credential} for user ${v.id}`);
      print(v.json, res, () => `removed passkey ${v.credential} of user ${v.id}`);
    },
  ),
};

interface Passkey {
  credential_id: string;
  name: string;
  backed_up: boolean;
  created_at: number;
  last_used_at: number | null;
}

function formatUser(u: User): string {
  const rows: Array<[string, string]> = [
    ["email", `${u.email}${u.email_verified ? " (verified)" : " (not verified)"}`],
    ["name", u.name ?? "-"],
    ["status", u.disabled ? "disabled" : "active"],
  ];
  if (u.created_at !== undefined) rows.push(["created", formatTime(u.created_at)]);
  if (u.bucket !== undefined || u.shard !== undefined) {
    rows.push(["placement", `bucket ${u.bucket ?? "?"} on shard ${u.shard ?? "?"}`]);
  }
  return `user ${u.id}\n${rows.map(([k, val]) => `  ${`${k}:`.padEnd(11)}${val}`).join("\n")}`;
}

function offlineQuery(include: boolean): string {
  return include ? "?include_offline=true" : "";
}

function sessionsOf(res: AdminResponse): Session[] {
  const sessions = (res.body as { sessions?: unknown } | null)?.sessions;
  if (!Array.isArray(sessions)) throw new CliError(`unexpected response (HTTP ${res.status}): ${JSON.stringify(res.body)}`);
  return sessions as Session[];
}

function formatSessions(userId: string, sessions: Session[]): string {
  if (sessions.length === 0) return `user ${userId} has no sessions`;
  const lines = sessions.map((s) => {
    const until = s.state === "ended" && s.ended_at !== null ? `ended ${formatTime(s.ended_at)}` : `idle until ${formatTime(s.idle_expires_at)}`;
    return `  ${s.sid}  ${s.state.padEnd(7)}  signed in ${formatTime(s.auth_time)}  last seen ${formatTime(s.last_seen_at)}  ${until}`;
  });
  return `sessions of user ${userId}\n${lines.join("\n")}`;
}

function formatTime(t: number | string): string {
  if (typeof t === "string") return t;
  // Accept both seconds and milliseconds since the epoch.
  const date = new Date(t < 1e12 ? t * 1000 : t);
  return Number.isNaN(date.getTime()) ? String(t) : date.toISOString();
}

runCommands("users", { ...commands, ...operatorCommands });
