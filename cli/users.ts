// Operator commands for user accounts: `npm run users -- <command> [options]`.
import { CliError, UsageError, parseCommand, runMain } from "./lib/args.ts";
import { valueOrStdin } from "./lib/stdin-value.ts";
import type { CommandSpec, Options, Values } from "./lib/args.ts";
import { adminClient, errorMessage } from "./lib/admin-client.ts";
import type { AdminResponse } from "./lib/admin-client.ts";

const USAGE = "npm run users -- <command> [options]";
/** Where usage errors point; narrowed to the command once it is known. */
let helpHint = "Run `npm run users -- --help` for usage.";

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

const common = {
  url: {
    type: "string",
    placeholder: "URL",
    description: "Provider base URL (default: $AUTHSHARD_URL, else http://127.0.0.1:8787).",
  },
  json: { type: "boolean", description: "Print the raw JSON response." },
} as const satisfies Options;

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

interface Command {
  summary: string;
  main(argv: string[]): Promise<void>;
}

function command<O extends Options>(
  name: string,
  summary: string,
  options: O,
  run: (v: Values<O & typeof common>) => Promise<void>,
  notes?: string,
): Command {
  const spec: CommandSpec<O & typeof common> = {
    usage: `npm run users -- ${name} [options]`,
    summary,
    options: { ...options, ...common },
    notes: `${notes ? `${notes}\n` : ""}The operator token is read from $ADMIN_TOKEN, else from ADMIN_TOKEN in ./.dev.vars.`,
  };
  return { summary, main: (argv) => run(parseCommand(spec, argv)) };
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
      print(v.json, res, () => `created ${formatUser(userOf(res))}`);
    },
  ),

  get: command("get", "Show a user by id.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users/${encodeURIComponent(v.id)}`);
    expect(res, [200], `no user with id ${v.id}`);
    print(v.json, res, () => formatUser(userOf(res)));
  }),

  find: command("find", "Look up a user by email address.", { email }, async (v) => {
    const query = new URLSearchParams({ email: v.email });
    const res = await adminClient({ url: v.url }).request("GET", `/admin/users?${query}`);
    expect(res, [200], `no user with email ${v.email}`);
    print(v.json, res, () => formatUser(userOf(res)));
  }),

  disable: command("disable", "Disable a user: sign-in and token refresh stop working.", { id }, async (v) => {
    const path = `/admin/users/${encodeURIComponent(v.id)}/disable`;
    const res = await adminClient({ url: v.url }).request("POST", path);
    expect(res, [200], `no user with id ${v.id}`);
    print(v.json, res, () => `disabled ${formatUser(userOf(res))}`);
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
};

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join("\n");
  return (
    `Usage: ${USAGE}\n\nCommands:\n${list}\n\n` +
    "Common options: --url URL, --json, --help\n" +
    "Run `npm run users -- <command> --help` for a command's options.\n"
  );
}

function expect(res: AdminResponse, ok: number[], notFound?: string): void {
  if (ok.includes(res.status)) return;
  const hasDescription =
    typeof (res.body as { error_description?: unknown } | null)?.error_description === "string";
  if (res.status === 404 && notFound && !hasDescription) throw new CliError(notFound);
  throw new CliError(errorMessage(res));
}

function userOf(res: AdminResponse): User {
  const user = (res.body as { user?: User } | null)?.user;
  if (!user || typeof user !== "object") {
    throw new CliError(`unexpected response (HTTP ${res.status}): ${JSON.stringify(res.body)}`);
  }
  return user;
}

function print(json: boolean, res: AdminResponse, summary: () => string): void {
  const out = json ? JSON.stringify(res.body, null, 2) : summary();
  process.stdout.write(`${out}\n`);
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

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined) throw new UsageError("missing command");
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(topHelp());
    return;
  }
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) {
    throw new UsageError(
      name.startsWith("-") ? `expected a command before ${name}` : `unknown command '${name}'`,
    );
  }
  helpHint = `Run \`npm run users -- ${name} --help\` for usage.`;
  await cmd.main(rest);
}

runMain(main, () => helpHint);
