// `npm run clients` commands for the clients themselves: create, list, get, rotate-secret, delete.
import { CliError, UsageError, formatHelp, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { bodyObject, commandSpec, expectStatus as expect, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";
import { formatClient, formatClientTable, secretNote, type Client } from "./client-format.ts";
import { takeRepeated, type Repeated } from "./repeated-flags.ts";
import { valueOrStdin } from "./stdin-value.ts";
import { PROTECTION_OPTIONS, protectionBody } from "./response-protection-flags.ts";
import { KEY_OPTIONS, keyFields } from "./client-key-flags.ts";

// The server validates everything; these few are checked here too, for a message
// before any network round trip.
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const TYPES = ["confidential", "public"];
const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none", "private_key_jwt", "client_secret_jwt"];
const SUBJECT_TYPES = ["public", "pairwise"];

const id = { type: "string", required: true, placeholder: "ID", description: "Client id: 1-128 of A-Z a-z 0-9 . _ ~ -" } as const;

/** Flags given once per value, collected before the rest is parsed. */
const REPEATABLE = {
  "redirect-uri": { type: "string", placeholder: "URI", description: "Redirect URI, matched exactly; repeat for more (at least one)." },
  "post-logout-redirect-uri": { type: "string", placeholder: "URI", description: "Post-logout redirect URI; repeatable." },
  "grant-type": {
    type: "string",
    placeholder: "TYPE",
    description: "authorization_code (default), refresh_token or client_credentials; repeatable.",
  },
  "response-type": {
    type: "string",
    placeholder: "TYPE",
    description: 'Response types /authorize accepts: "code" (default), "code id_token", "code token", "code id_token token"; repeatable.',
  },
} as const satisfies Options;
type CreateRepeated = Repeated<keyof typeof REPEATABLE>;

const CREATE_OPTIONS = {
  id,
  name: { type: "string", required: true, placeholder: "NAME", description: "Display name (shown on the consent page)." },
  type: { type: "string", required: true, placeholder: "TYPE", description: "confidential (has a secret) or public (PKCE S256, no secret)." },
  ...REPEATABLE,
  scope: { type: "string", placeholder: "SCOPES", description: 'Allowed scopes, space-separated (default: "openid").' },
  "auth-method": {
    type: "string",
    placeholder: "METHOD",
    description: "client_secret_basic (default for confidential), client_secret_post, private_key_jwt (needs --jwks or --jwks-uri), client_secret_jwt (needs CLIENT_SECRET_KEY on the server), or none (public).",
  },
  secret: { type: "string", placeholder: "SECRET", description: "Use this secret (at least 8 characters); '-' reads it from standard input." },
  "id-token-alg": { type: "string", placeholder: "ALG", description: "ES256 (default) or RS256." },
  "backchannel-logout-uri": { type: "string", placeholder: "URI", description: "Where logout tokens are POSTed (OIDC Back-Channel Logout); https, or http on loopback." },
  "backchannel-logout-session-required": { type: "boolean", description: "Logout tokens must carry the session's sid." },
  "frontchannel-logout-uri": { type: "string", placeholder: "URI", description: "Page framed at logout (OIDC Front-Channel Logout); on a redirect URI's origin." },
  "frontchannel-logout-session-required": { type: "boolean", description: "The front-channel page gets iss and sid." },
  // DPoP (RFC 9449 §5.2).
  "dpop-bound-access-tokens": { type: "boolean", description: "The token endpoint requires a DPoP proof (sender-constrained tokens, RFC 9449)." },
  // OIDC Core §8.1 pairwise subjects.
  // FAPI 2.0 Security Profile.
  "security-profile": { type: "string", placeholder: "PROFILE", description: "fapi2: hold the client to the FAPI 2.0 Security Profile (PAR, PKCE, private_key_jwt, DPoP, 60 s codes)." },
  "subject-type": { type: "string", placeholder: "TYPE", description: "public (default: sub is the user id) or pairwise (sub per sector, the one host of the redirect URIs)." },
  "require-par": { type: "boolean", description: "Accept this client's authorization requests only when pushed to /par (RFC 9126 §6)." },
  "authorization-alg": { type: "string", placeholder: "ALG", description: "JARM response signing algorithm: ES256 (default) or RS256." },
  // CIBA (OpenID CIBA Core 1.0 §4)
  "ciba-mode": { type: "string", placeholder: "MODE", description: "CIBA token delivery: poll, ping or push (with --grant-type urn:openid:params:grant-type:ciba)." },
  "ciba-notification-endpoint": { type: "string", placeholder: "URI", description: "Where CIBA ping/push notifications are POSTed; https, or http on loopback." },
  "ciba-user-code": { type: "boolean", description: "The client sends a user_code with each CIBA request." },
  ...KEY_OPTIONS,
  // Two-factor sign-in
  "mfa-required": { type: "boolean", description: "Every sign-in to this client needs the second factor (TOTP); acr urn:authshard:acr:mfa." },
  update: { type: "boolean", description: "Replace the registration if the client exists (the secret is kept unless --secret)." },
  ...PROTECTION_OPTIONS,
} as const satisfies Options;

export const createSpec = commandSpec("clients", "create", "Register a client. A confidential client without --secret gets a generated one, shown once.", CREATE_OPTIONS);

export interface CreateRequest {
  values: CommonValues<typeof CREATE_OPTIONS>;
  /** The PUT /admin/clients/:id body; `client_secret` may still be "-" (read from standard input). */
  body: Record<string, unknown>;
}

/** `create`'s command line as the operator API body it sends; "help" for --help. Throws UsageError. */
export function readCreate(argv: readonly string[]): CreateRequest | "help" {
  const { repeated, rest } = takeRepeated(argv, Object.keys(REPEATABLE) as (keyof typeof REPEATABLE)[]);
  const read = readArgs(createSpec, rest);
  if (read.help) return "help";
  const v = read.values;
  checkId(v.id);
  return { values: v, body: createBody(v, repeated) };
}

function createBody(v: CommonValues<typeof CREATE_OPTIONS>, r: CreateRepeated): Record<string, unknown> {
  if (!TYPES.includes(v.type)) throw new UsageError(`--type must be confidential or public, not '${v.type}'`);
  if (r["redirect-uri"].length === 0) throw new UsageError("--redirect-uri is required (once per URI)");
  if (v["auth-method"] !== undefined && !AUTH_METHODS.includes(v["auth-method"])) {
    throw new UsageError(`--auth-method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  if (v.type === "public" && v.secret !== undefined) throw new UsageError("public clients have no secret: drop --secret");
  if (v["backchannel-logout-session-required"] && v["backchannel-logout-uri"] === undefined) {
    throw new UsageError("--backchannel-logout-session-required needs --backchannel-logout-uri");
  }
  if (v["frontchannel-logout-session-required"] && v["frontchannel-logout-uri"] === undefined) {
    throw new UsageError("--frontchannel-logout-session-required needs --frontchannel-logout-uri");
  }
  const body: Record<string, unknown> = { client_name: v.name, client_type: v.type, redirect_uris: r["redirect-uri"] };
  if (r["post-logout-redirect-uri"].length > 0) body.post_logout_redirect_uris = r["post-logout-redirect-uri"];
  if (r["grant-type"].length > 0) body.grant_types = r["grant-type"];
  if (v.scope !== undefined) body.scope = v.scope;
  if (v["auth-method"] !== undefined) body.token_endpoint_auth_method = v["auth-method"];
  if (v["id-token-alg"] !== undefined) body.id_token_signed_response_alg = v["id-token-alg"];
  if (v["backchannel-logout-uri"] !== undefined) {
    body.backchannel_logout_uri = v["backchannel-logout-uri"];
    body.backchannel_logout_session_required = v["backchannel-logout-session-required"];
  }
  if (v["frontchannel-logout-uri"] !== undefined) {
    body.frontchannel_logout_uri = v["frontchannel-logout-uri"];
    body.frontchannel_logout_session_required = v["frontchannel-logout-session-required"];
  }
  if (v["security-profile"] !== undefined) {
    if (v["security-profile"] !== "fapi2") throw new UsageError(`--security-profile must be fapi2, not '${v["security-profile"]}'`);
    body.security_profile = "fapi2";
  }
  if (v["subject-type"] !== undefined) {
    if (!SUBJECT_TYPES.includes(v["subject-type"])) throw new UsageError(`--subject-type must be public or pairwise, not '${v["subject-type"]}'`);
    body.subject_type = v["subject-type"];
  }
  // PAR, JARM and the hybrid flow.
  if (r["response-type"].length > 0) body.response_types = r["response-type"];
  if (v["require-par"]) body.require_pushed_authorization_requests = true;
  if (v["authorization-alg"] !== undefined) body.authorization_signed_response_alg = v["authorization-alg"];
  if (v["ciba-mode"] !== undefined) body.backchannel_token_delivery_mode = v["ciba-mode"];
  if (v["ciba-notification-endpoint"] !== undefined) body.backchannel_client_notification_endpoint = v["ciba-notification-endpoint"];
  if (v["ciba-user-code"]) body.backchannel_user_code_parameter = true;
  if (v.secret !== undefined) body.client_secret = v.secret;
  // DPoP (RFC 9449 §5.2).
  if (v["dpop-bound-access-tokens"]) body.dpop_bound_access_tokens = true;
  Object.assign(body, protectionBody(v));
  Object.assign(body, keyFields(v));
  // Two-factor sign-in
  if (v["mfa-required"]) body.mfa_required = true;
  return body;
}

function checkId(value: string): void {
  if (!CLIENT_ID.test(value)) throw new UsageError(`--id '${value}' is not a client id (1-128 of A-Z a-z 0-9 . _ ~ -)`);
}

const clientPath = (clientId: string) => `/admin/clients/${encodeURIComponent(clientId)}`;

/** A command about one client by --id. */
function byId(name: string, summary: string, run: (v: CommonValues<{ id: typeof id }>) => Promise<void>): Command {
  return simpleCommand("clients", name, summary, { id }, async (v) => {
    checkId(v.id);
    await run(v);
  });
}

export const CLIENT_COMMANDS: Record<string, Command> = {
  create: {
    summary: createSpec.summary!,
    main: async (argv) => {
      const request = readCreate(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(createSpec));
        return;
      }
      const { values: v, body } = request;
      if (typeof body.client_secret === "string") body.client_secret = await valueOrStdin(body.client_secret, "--secret", "secret");
      const api = adminClient({ url: v.url });
      // PUT replaces silently; an operator typing "create" should not overwrite by accident.
      if (!v.update && (await api.request("GET", clientPath(v.id))).status === 200) {
        throw new CliError(`client ${v.id} already exists; add --update to replace its registration`);
      }
      const res = await api.request("PUT", clientPath(v.id), body);
      expect(res, [200, 201]);
      print(v.json, res, () => `${res.status === 201 ? "created" : "updated"} ${formatClient(bodyObject<Client>(res, "client"))}${secretNote(res)}`);
    },
  },

  list: simpleCommand("clients", "list", "List all clients, and who registered each (an operator, or the client itself).", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/clients");
    expect(res, [200]);
    const clients = (res.body as { clients?: Client[] } | null)?.clients;
    if (!Array.isArray(clients)) throw new CliError(`unexpected response: ${JSON.stringify(res.body)}`);
    print(v.json, res, () => (clients.length === 0 ? "no clients" : formatClientTable(clients)));
  }),

  get: byId("get", "Show a client.", async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", clientPath(v.id));
    expect(res, [200], `no client with id ${v.id}`);
    print(v.json, res, () => formatClient(bodyObject<Client>(res, "client")));
  }),

  "rotate-secret": byId("rotate-secret", "Replace a confidential client's secret; the old one stops working at once.", async (v) => {
    const res = await adminClient({ url: v.url }).request("POST", `${clientPath(v.id)}/rotate-secret`);
    expect(res, [200], `no client with id ${v.id}`);
    print(v.json, res, () => `rotated the secret of ${v.id}${secretNote(res)}`);
  }),

  "logout-deliveries": simpleCommand(
    "clients",
    "logout-deliveries",
    "Back-channel logout notifications to a client: delivered and failed counts, and the latest ones.",
    { id, since: { type: "string", placeholder: "WHEN", description: "From: ISO 8601 or epoch ms (default 7 days ago)." } },
    async (v) => {
      checkId(v.id);
      const query = v.since === undefined ? "" : `?${new URLSearchParams({ since: v.since })}`;
      const res = await adminClient({ url: v.url }).request("GET", `${clientPath(v.id)}/logout-deliveries${query}`);
      expect(res, [200]);
      print(v.json, res, () => formatDeliveries(res.body as Deliveries));
    },
  ),

  delete: byId("delete", "Delete a client; its tokens can no longer be refreshed.", async (v) => {
    const res = await adminClient({ url: v.url }).request("DELETE", clientPath(v.id));
    expect(res, [204], `no client with id ${v.id}`);
    process.stdout.write(v.json ? `${JSON.stringify({ client_id: v.id, deleted: true })}\n` : `deleted client ${v.id}\n`);
  }),
};

interface Deliveries {
  client_id: string;
  delivered: number;
  failed: number;
  latest: Array<{ at: number; outcome: string; user_id: string | null; sid: string | null; reason: string | null; attempts: number | null; status: number | null }>;
}

export function formatDeliveries(d: Deliveries): string {
  const head = `back-channel logout to ${d.client_id}: ${d.delivered} delivered, ${d.failed} failed`;
  const lines = d.latest.map((x) => `  ${new Date(x.at).toISOString()}  ${x.outcome.padEnd(9)}  user ${x.user_id ?? "-"}  sid ${x.sid ?? "-"}  ${x.reason ?? ""}${x.attempts ? `  after ${x.attempts} attempt${x.attempts === 1 ? "" : "s"}` : ""}`);
  return [head, ...lines].join("\n");
}
