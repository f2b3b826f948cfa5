// `npm run federation` commands: the upstream identity providers people sign in with
// (README "Sign in with other providers (federation)").
import { readFileSync } from "node:fs";
import { UsageError, formatHelp, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { commandSpec, expectStatus as expect, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";

interface Upstream {
  id: string;
  preset: string;
  displayName: string;
  issuer: string | null;
  authorizationEndpoint: string;
  clientId: string;
  client_secret_set: boolean;
  apple_private_key_set?: boolean;
  linkPolicy: string;
  showOnLogin: boolean;
}

const PRESETS = ["oidc", "oauth2", "google", "apple", "microsoft", "github", "facebook", "x", "linkedin"];

const ADD_OPTIONS = {
  id: { type: "string", required: true, placeholder: "ID", description: "The provider's id here (lowercase letters, digits, - or _), e.g. google." },
  preset: { type: "string", placeholder: "NAME", description: `One of ${PRESETS.join(", ")} (default oidc: endpoints from --issuer's discovery document).` },
  issuer: { type: "string", placeholder: "URL", description: "The upstream's issuer (required for oidc; its discovery document gives the endpoints)." },
  "client-id": { type: "string", required: true, placeholder: "ID", description: "This provider's client id at the upstream." },
  "client-secret": { type: "string", placeholder: "SECRET", description: "Its client secret there (stored sealed; never shown again). Or set FEDERATION_CLIENT_SECRET." },
  "apple-team-id": { type: "string", placeholder: "ID", description: "Apple: your Team ID; with --apple-key-id and --apple-private-key-file the client secret JWT is minted for you." },
  "apple-key-id": { type: "string", placeholder: "ID", description: "Apple: the Key ID of the Sign in with Apple key." },
  "apple-private-key-file": { type: "string", placeholder: "FILE", description: "Apple: the key's .p8 file (stored sealed; never shown again)." },
  name: { type: "string", placeholder: "TEXT", description: "The name on the login page button (default: the preset's)." },
  scope: { type: "string", placeholder: "SCOPES", description: "Scopes to ask the upstream for (default: the preset's)." },
  "authorization-endpoint": { type: "string", placeholder: "URL", description: "Overrides the preset's or discovered endpoint." },
  "token-endpoint": { type: "string", placeholder: "URL", description: "Overrides the preset's or discovered endpoint." },
  "userinfo-endpoint": { type: "string", placeholder: "URL", description: "Overrides the preset's or discovered endpoint (required for oauth2)." },
  "jwks-uri": { type: "string", placeholder: "URL", description: "Overrides the preset's or discovered JWK Set URL." },
  "link-by-email": { type: "boolean", description: "A first sign-in whose verified email is an existing user's links to that user (default: refused)." },
  hidden: { type: "boolean", description: "Not shown on the login page (linkable from the account page only)." },
  "store-tokens": { type: "boolean", description: "Keep the upstream's tokens, sealed, in the user's shard." },
  "trust-amr": { type: "boolean", description: "Pass the upstream's amr values on in ours (after fed)." },
} as const satisfies Options;

export const addSpec = commandSpec("federation", "add", "Add or replace an upstream identity provider.", ADD_OPTIONS);

/** `add`'s command line as the PUT /admin/upstreams/<id> body; "help" for --help. Throws UsageError. */
export function readAdd(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { values: CommonValues<typeof ADD_OPTIONS>; body: Record<string, unknown> } | "help" {
  const read = readArgs(addSpec, argv);
  if (read.help) return "help";
  const v = read.values;
  const preset = v.preset ?? "oidc";
  if (!PRESETS.includes(preset)) throw new UsageError(`--preset must be one of ${PRESETS.join(", ")}, not '${preset}'`);
  if (preset === "oidc" && !v.issuer) throw new UsageError("--issuer is required for a generic OpenID provider");
  const appleGiven = v["apple-team-id"] !== undefined || v["apple-key-id"] !== undefined || v["apple-private-key-file"] !== undefined;
  if (appleGiven && preset !== "apple") throw new UsageError("--apple-team-id, --apple-key-id and --apple-private-key-file are for --preset apple");
  const appleKey = v["apple-private-key-file"] === undefined ? undefined : readKeyFile(v["apple-private-key-file"]);
  const secret = v["client-secret"] ?? env.FEDERATION_CLIENT_SECRET;
  const body: Record<string, unknown> = {
    preset, client_id: v["client-id"], link_policy: v["link-by-email"] ? "verified_email" : "never",
    show_on_login: !v.hidden, store_tokens: v["store-tokens"], trust_amr: v["trust-amr"],
  };
  const optional: Record<string, string | undefined> = {
    issuer: v.issuer, client_secret: secret, display_name: v.name, scope: v.scope, authorization_endpoint: v["authorization-endpoint"],
    token_endpoint: v["token-endpoint"], userinfo_endpoint: v["userinfo-endpoint"], jwks_uri: v["jwks-uri"],
    apple_team_id: v["apple-team-id"], apple_key_id: v["apple-key-id"], apple_private_key: appleKey,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
  return { values: v, body };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--apple-private-key-file ${path}: ${(error as Error).message}`);
  }
}

function formatUpstream(u: Upstream): string {
  return `${u.id}  ${u.preset}  "${u.displayName}"  ${u.issuer ?? u.authorizationEndpoint}  client ${u.clientId}${u.apple_private_key_set ? " (Apple key set)" : u.client_secret_set ? " (secret set)" : ""}  link ${u.linkPolicy}${u.showOnLogin ? "" : "  hidden"}`;
}

export const FEDERATION_COMMANDS: Record<string, Command> = {
  add: {
    summary: addSpec.summary!,
    main: async (argv) => {
      const request = readAdd(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(addSpec));
        return;
      }
      const id = request.values.id;
      const res = await adminClient({ url: request.values.url }).request("PUT", `/admin/upstreams/${encodeURIComponent(id)}`, request.body);
      expect(res, [200, 201]);
      print(request.values.json, res, () => `${res.status === 201 ? "added" : "updated"} ${formatUpstream((res.body as { upstream: Upstream }).upstream)}`);
    },
  },

  list: simpleCommand("federation", "list", "List the upstream identity providers.", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/upstreams");
    expect(res, [200]);
    const list = (res.body as { upstreams: Upstream[] }).upstreams;
    print(v.json, res, () => (list.length === 0 ? "no upstream providers" : list.map(formatUpstream).join("\n")));
  }),

  remove: simpleCommand(
    "federation",
    "remove",
    "Remove an upstream provider (its button goes; linked identities stay linked but cannot sign in until it is added again).",
    { id: { type: "string", required: true, placeholder: "ID", description: "The provider's id, as list shows it." } },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("DELETE", `/admin/upstreams/${encodeURIComponent(v.id)}`);
      expect(res, [204], `no upstream provider ${v.id}`);
      print(v.json, res, () => `removed ${v.id}`);
    },
  ),
};
