// `npm run clients` commands for initial access tokens (RFC 7591 §3): the credentials an
// operator hands to whoever may register clients at POST /register, each with a policy.
import { UsageError, formatHelp, integerIn, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { commandSpec, expectStatus as expect, okBody, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";
import { formatMinted, formatTokenTable, type InitialToken } from "./client-format.ts";
import { takeRepeated, type Repeated } from "./repeated-flags.ts";

const GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"];
const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none", "private_key_jwt", "client_secret_jwt"];
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
const MIN_TTL_S = 60;
const MAX_TTL_S = 365 * 86_400;

/** `--ttl` as seconds: a number with a unit (90s, 30m, 12h, 7d), between a minute and a year. */
export function parseTtl(raw: string, flag: string): number {
  const match = /^\s*(\d+)\s*([smhd])\s*$/.exec(raw);
  const seconds = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < MIN_TTL_S || seconds > MAX_TTL_S) {
    throw new UsageError(`${flag} must be a duration like 30m, 12h or 7d, between 1 minute and 365 days, got '${raw}'`);
  }
  return seconds;
}

const REPEATABLE = {
  "grant-type": { type: "string", placeholder: "TYPE", description: "A grant type registrants may ask for: authorization_code (default), refresh_token, client_credentials; repeatable." },
  "auth-method": { type: "string", placeholder: "METHOD", description: "Allow only these token endpoint auth methods (client_secret_basic, client_secret_post, none, private_key_jwt, client_secret_jwt); repeatable. Default: any." },
} as const satisfies Options;

const MINT_OPTIONS = {
  ...REPEATABLE,
  scope: { type: "string", placeholder: "SCOPES", description: 'Scopes registrants may ask for, space-separated (default: "openid").' },
  "max-uses": { type: "string", placeholder: "N", description: "How many clients the token may register (default 1).", parse: integerIn(1, 100_000) },
  ttl: { type: "string", placeholder: "DURATION", description: "How long the token works: 30m, 12h, 7d, ... (default 1d).", parse: parseTtl },
  label: { type: "string", placeholder: "TEXT", description: "A note for the list (who it is for)." },
} as const satisfies Options;

export const mintSpec = commandSpec(
  "clients",
  "initial-token",
  "Mint an initial access token for POST /register, shown once.",
  MINT_OPTIONS,
  "Example: npm run clients -- initial-token --grant-type authorization_code --grant-type refresh_token --scope \"openid profile\" --max-uses 5 --ttl 7d",
);

export interface MintRequest {
  values: CommonValues<typeof MINT_OPTIONS>;
  /** The POST /admin/registration-tokens body. */
  body: Record<string, unknown>;
}

function checkAll(flag: string, values: string[], allowed: string[]): void {
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) throw new UsageError(`--${flag} must be one of ${allowed.join(", ")}, got '${bad}'`);
}

/** `initial-token`'s command line as the operator API body it sends; "help" for --help. Throws UsageError. */
export function readMint(argv: readonly string[]): MintRequest | "help" {
  const { repeated, rest } = takeRepeated(argv, Object.keys(REPEATABLE) as (keyof typeof REPEATABLE)[]);
  const read = readArgs(mintSpec, rest);
  if (read.help) return "help";
  return { values: read.values, body: mintBody(read.values, repeated) };
}

function mintBody(v: CommonValues<typeof MINT_OPTIONS>, r: Repeated<keyof typeof REPEATABLE>): Record<string, unknown> {
  checkAll("grant-type", r["grant-type"], GRANT_TYPES);
  checkAll("auth-method", r["auth-method"], AUTH_METHODS);
  const body: Record<string, unknown> = {};
  if (r["grant-type"].length > 0) body.grant_types = r["grant-type"];
  if (v.scope !== undefined) body.scope = v.scope;
  if (r["auth-method"].length > 0) body.token_endpoint_auth_methods = r["auth-method"];
  if (v["max-uses"] !== undefined) body.max_uses = v["max-uses"];
  if (v.ttl !== undefined) body.ttl_s = v.ttl;
  if (v.label !== undefined) body.label = v.label;
  return body;
}

const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const INITIAL_TOKEN_COMMANDS: Record<string, Command> = {
  "initial-token": {
    summary: mintSpec.summary!,
    main: async (argv) => {
      const request = readMint(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(mintSpec));
        return;
      }
      const res = await adminClient({ url: request.values.url }).request("POST", "/admin/registration-tokens", request.body);
      const minted = okBody<{ initial_access_token: string; token: InitialToken }>(res, [201]);
      print(request.values.json, res, () => formatMinted(minted.initial_access_token, minted.token));
    },
  },

  "initial-tokens": simpleCommand("clients", "initial-tokens", "List initial access tokens: policy, uses, expiry (never the tokens).", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/registration-tokens");
    const { tokens } = okBody<{ tokens: InitialToken[] }>(res, [200]);
    print(v.json, res, () => formatTokenTable(tokens));
  }),

  "revoke-initial-token": simpleCommand(
    "clients",
    "revoke-initial-token",
    "Delete an initial access token: it registers nothing more (the clients it registered stay).",
    { id: { type: "string", required: true, placeholder: "ID", description: "The token's id, as `initial-tokens` lists it." } },
    async (v) => {
      if (!TOKEN_ID.test(v.id)) throw new UsageError(`--id '${v.id}' is not an initial access token id (see initial-tokens)`);
      const res = await adminClient({ url: v.url }).request("DELETE", `/admin/registration-tokens/${encodeURIComponent(v.id)}`);
      expect(res, [204], `no initial access token with id ${v.id}`);
      process.stdout.write(v.json ? `${JSON.stringify({ id: v.id, revoked: true })}\n` : `revoked initial access token ${v.id}\n`);
    },
  ),
};
