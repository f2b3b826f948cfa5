// Operator commands for OAuth clients: `npm run clients -- <command> [options]`.
import { CliError, UsageError, parseCommand } from "./lib/args.ts";
import type { Options } from "./lib/args.ts";
import { valueOrStdin } from "./lib/stdin-value.ts";
import { adminClient } from "./lib/admin-client.ts";
import type { AdminResponse } from "./lib/admin-client.ts";
import { bodyObject, commandSpec, expectStatus as expect, print, runCommands, type Command, type CommonValues } from "./lib/admin-commands.ts";

// The server validates everything; these few are checked here too, for a message
// before any network round trip.
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const TYPES = ["confidential", "public"];
const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"];

interface Client {
  client_id: string;
  client_name: string;
  client_type: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  grant_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  id_token_signed_response_alg?: string;
  created_at?: number;
}

const id = { type: "string", required: true, placeholder: "ID", description: "Client id: 1-128 of A-Z a-z 0-9 . _ ~ -" } as const;

/** Flags given once per value. lib/args.ts keeps only the last of a repeated flag, so these are collected first. */
const REPEATABLE = {
  "redirect-uri": { type: "string", placeholder: "URI", description: "Redirect URI, matched exactly; repeat for more (at least one)." },
  "post-logout-redirect-uri": { type: "string", placeholder: "URI", description: "Post-logout redirect URI; repeatable." },
  "grant-type": {
    type: "string",
    placeholder: "TYPE",
    description: "authorization_code (default), refresh_token or client_credentials; repeatable.",
  },
} as const satisfies Options;
type Repeated = Record<keyof typeof REPEATABLE, string[]>;

function command<O extends Options>(name: string, summary: string, options: O, run: (v: CommonValues<O>, repeated: Repeated) => Promise<void>): Command {
  const spec = commandSpec("clients", name, summary, options);
  const repeatable = Object.keys(options).filter((key) => Object.hasOwn(REPEATABLE, key));
  return {
    summary,
    main: async (argv) => {
      const { repeated, rest } = takeRepeated(argv, repeatable);
      const values = parseCommand(spec, rest);
      const idValue: unknown = (values as Record<string, unknown>).id;
      if (typeof idValue === "string" && !CLIENT_ID.test(idValue)) {
        throw new UsageError(`--id '${idValue}' is not a client id (1-128 of A-Z a-z 0-9 . _ ~ -)`);
      }
      await run(values, repeated);
    },
  };
}

/** Takes every `--flag VALUE` / `--flag=VALUE` of the given repeatable flags out of argv. */
function takeRepeated(argv: string[], flags: string[]): { repeated: Repeated; rest: string[] } {
  const repeated: Repeated = { "redirect-uri": [], "post-logout-redirect-uri": [], "grant-type": [] };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (arg === "--" || !flags.includes(flag)) {
      rest.push(arg);
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq < 0 && value.startsWith("-"))) {
      throw new UsageError(`--${flag} needs a value (write --${flag}=VALUE if the value starts with '-')`);
    }
    if (value === "") throw new UsageError(`--${flag} must not be empty`);
    repeated[flag as keyof Repeated].push(value);
  }
  return { repeated, rest };
}

const clientPath = (clientId: string) => `/admin/clients/${encodeURIComponent(clientId)}`;

const commands: Record<string, Command> = {
  create: command(
    "create",
    "Register a client. A confidential client without --secret gets a generated one, shown once.",
    {
      id,
      name: { type: "string", required: true, placeholder: "NAME", description: "Display name (shown on the consent page)." },
      type: { type: "string", required: true, placeholder: "TYPE", description: "confidential (has a secret) or public (PKCE S256, no secret)." },
      ...REPEATABLE,
      scope: { type: "string", placeholder: "SCOPES", description: 'Allowed scopes, space-separated (default: "openid").' },
      "auth-method": {
        type: "string",
        placeholder: "METHOD",
        description: "client_secret_basic (default for confidential), client_secret_post, or none (public).",
      },
      secret: { type: "string", placeholder: "SECRET", description: "Use this secret (at least 8 characters); '-' reads it from standard input." },
      "id-token-alg": { type: "string", placeholder: "ALG", description: "ES256 (default) or RS256." },
      update: { type: "boolean", description: "Replace the registration if the client exists (the secret is kept unless --secret)." },
    },
    async (v, r) => {
      if (!TYPES.includes(v.type)) throw new UsageError(`--type must be confidential or public, not '${v.type}'`);
      if (r["redirect-uri"].length === 0) throw new UsageError("--redirect-uri is required (once per URI)");
      if (v["auth-method"] !== undefined && !AUTH_METHODS.includes(v["auth-method"])) {
        throw new UsageError(`--auth-method must be one of ${AUTH_METHODS.join(", ")}`);
      }
      if (v.type === "public" && v.secret !== undefined) throw new UsageError("public clients have no secret: drop --secret");
      const body: Record<string, unknown> = { client_name: v.name, client_type: v.type, redirect_uris: r["redirect-uri"] };
      if (r["post-logout-redirect-uri"].length > 0) body.post_logout_redirect_uris = r["post-logout-redirect-uri"];
      if (r["grant-type"].length > 0) body.grant_types = r["grant-type"];
      if (v.scope !== undefined) body.scope = v.scope;
      if (v["auth-method"] !== undefined) body.token_endpoint_auth_method = v["auth-method"];
      if (v["id-token-alg"] !== undefined) body.id_token_signed_response_alg = v["id-token-alg"];
      if (v.secret !== undefined) body.client_secret = await valueOrStdin(v.secret, "--secret", "secret");
      const api = adminClient({ url: v.url });
      // PUT replaces silently; an operator typing "create" should not overwrite by accident.
      if (!v.update && (await api.request("GET", clientPath(v.id))).status === 200) {
        throw new CliError(`client ${v.id} already exists; add --update to replace its registration`);
      }
      const res = await api.request("PUT", clientPath(v.id), body);
      expect(res, [200, 201]);
      print(v.json, res, () => `${res.status === 201 ? "created" : "updated"} ${formatClient(bodyObject<Client>(res, "client"))}${secretNote(res)}`);
    },
  ),

  list: command("list", "List all clients.", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/clients");
    expect(res, [200]);
    const clients = (res.body as { clients?: Client[] } | null)?.clients;
    if (!Array.isArray(clients)) throw new CliError(`unexpected response: ${JSON.stringify(res.body)}`);
    print(v.json, res, () => (clients.length === 0 ? "no clients" : formatTable(clients)));
  }),

  get: command("get", "Show a client.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", clientPath(v.id));
    expect(res, [200], `no client with id ${v.id}`);
    print(v.json, res, () => formatClient(bodyObject<Client>(res, "client")));
  }),

  "rotate-secret": command("rotate-secret", "Replace a confidential client's secret; the old one stops working at once.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("POST", `${clientPath(v.id)}/rotate-secret`);
    expect(res, [200], `no client with id ${v.id}`);
    print(v.json, res, () => `rotated the secret of ${v.id}${secretNote(res)}`);
  }),

  delete: command("delete", "Delete a client; its tokens can no longer be refreshed.", { id }, async (v) => {
    const res = await adminClient({ url: v.url }).request("DELETE", clientPath(v.id));
    expect(res, [204], `no client with id ${v.id}`);
    process.stdout.write(v.json ? `${JSON.stringify({ client_id: v.id, deleted: true })}\n` : `deleted client ${v.id}\n`);
  }),
};

function secretNote(res: AdminResponse): string {
  const secret = (res.body as { client_secret?: unknown } | null)?.client_secret;
  return typeof secret === "string" ? `\n\nclient_secret: ${secret}\n(shown only now: store it; the provider keeps only its hash)` : "";
}

function formatClient(c: Client): string {
  const list = (values: string[] | undefined) => (values && values.length > 0 ? values.join(`\n${" ".repeat(13)}`) : "-");
  const rows: Array<[string, string]> = [
    ["name", c.client_name],
    ["type", `${c.client_type}, token endpoint auth ${c.token_endpoint_auth_method}`],
    ["redirect", list(c.redirect_uris)],
    ["logout", list(c.post_logout_redirect_uris)],
    ["grants", c.grant_types.join(" ")],
    ["scope", c.scope],
    ["id token", c.id_token_signed_response_alg ?? "-"],
  ];
  if (c.created_at !== undefined) rows.push(["created", new Date(c.created_at).toISOString()]);
  return `client ${c.client_id}\n${rows.map(([k, val]) => `  ${`${k}:`.padEnd(11)}${val}`).join("\n")}`;
}

function formatTable(clients: Client[]): string {
  const rows = clients.map((c) => [c.client_id, c.client_type, c.token_endpoint_auth_method, c.client_name]);
  const all = [["ID", "TYPE", "AUTH METHOD", "NAME"], ...rows];
  const widths = [0, 1, 2].map((i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ")).join("\n");
}

runCommands("clients", commands);
