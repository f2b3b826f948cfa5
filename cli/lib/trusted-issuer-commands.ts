// `npm run clients` commands for the JWT bearer grant (RFC 7523 §2.1): the issuers whose
// signed assertions /token accepts, with their keys, subject type and allowed scopes.
import { UsageError, formatHelp, integerIn, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { commandSpec, expectStatus as expect, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";
import { keyFields } from "./client-key-flags.ts";
import { takeRepeated } from "./repeated-flags.ts";

interface TrustedIssuer {
  issuer: string;
  jwks_uri: string | null;
  subject_type: string;
  scope: string;
  audiences: string[];
  max_lifetime_s: number;
}

const REPEATABLE = {
  audience: { type: "string", placeholder: "AUD", description: "An audience its assertions may name besides this provider's issuer and token endpoint; repeatable." },
} as const satisfies Options;

const TRUST_OPTIONS = {
  issuer: { type: "string", required: true, placeholder: "ISS", description: "The iss its assertions carry." },
  jwks: { type: "string", placeholder: "JSON|@FILE", description: "Its public JWK Set, as JSON or @path/to/jwks.json." },
  "jwks-uri": { type: "string", placeholder: "URI", description: "Where it publishes its public JWK Set (https); instead of --jwks." },
  subject: { type: "string", required: true, placeholder: "TYPE", description: "user (sub is one of our user ids) or client (sub is the client asking)." },
  scope: { type: "string", required: true, placeholder: "SCOPES", description: "Scopes its tokens may carry, space-separated (not openid or offline_access)." },
  "max-lifetime": { type: "string", placeholder: "SECONDS", description: "Longest assertion lifetime accepted, 30-3600 (default 300).", parse: integerIn(30, 3600) },
  ...REPEATABLE,
} as const satisfies Options;

export const trustSpec = commandSpec("clients", "trust-issuer", "Trust an issuer's JWT bearer assertions (create or replace).", TRUST_OPTIONS);

/** `trust-issuer`'s command line as the PUT /admin/trusted-issuers body; "help" for --help. Throws UsageError. */
export function readTrust(argv: readonly string[]): { values: CommonValues<typeof TRUST_OPTIONS>; body: Record<string, unknown> } | "help" {
  const { repeated, rest } = takeRepeated(argv, ["audience"]);
  const read = readArgs(trustSpec, rest);
  if (read.help) return "help";
  const v = read.values;
  if (v.subject !== "user" && v.subject !== "client") throw new UsageError(`--subject must be user or client, not '${v.subject}'`);
  const keys = keyFields({ jwks: v.jwks, "jwks-uri": v["jwks-uri"] });
  if (Object.keys(keys).length === 0) throw new UsageError("--jwks or --jwks-uri is required (the issuer's public keys)");
  const body: Record<string, unknown> = { issuer: v.issuer, ...keys, subject_type: v.subject, scope: v.scope, audiences: repeated.audience };
  if (v["max-lifetime"] !== undefined) body.max_lifetime_s = v["max-lifetime"];
  return { values: v, body };
}

function formatIssuer(i: TrustedIssuer): string {
  return `${i.issuer}  subject ${i.subject_type}  scope "${i.scope}"  keys ${i.jwks_uri ?? "by value"}  max ${i.max_lifetime_s}s${i.audiences.length ? `  audiences ${i.audiences.join(" ")}` : ""}`;
}

export const TRUSTED_ISSUER_COMMANDS: Record<string, Command> = {
  "trust-issuer": {
    summary: trustSpec.summary!,
    main: async (argv) => {
      const request = readTrust(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(trustSpec));
        return;
      }
      const res = await adminClient({ url: request.values.url }).request("PUT", "/admin/trusted-issuers", request.body);
      expect(res, [200, 201]);
      print(request.values.json, res, () => `${res.status === 201 ? "trusted" : "updated"} ${formatIssuer((res.body as { trusted_issuer: TrustedIssuer }).trusted_issuer)}`);
    },
  },

  "trusted-issuers": simpleCommand("clients", "trusted-issuers", "List the issuers whose JWT bearer assertions are accepted.", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/trusted-issuers");
    expect(res, [200]);
    const list = (res.body as { trusted_issuers: TrustedIssuer[] }).trusted_issuers;
    print(v.json, res, () => (list.length === 0 ? "no trusted issuers" : list.map(formatIssuer).join("\n")));
  }),

  "untrust-issuer": simpleCommand(
    "clients",
    "untrust-issuer",
    "Stop accepting an issuer's assertions (other isolates within CLIENT_CACHE_TTL_MS).",
    { issuer: { type: "string", required: true, placeholder: "ISS", description: "The issuer, as trusted-issuers lists it." } },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("DELETE", `/admin/trusted-issuers/${encodeURIComponent(v.issuer)}`);
      expect(res, [204], `no trusted issuer ${v.issuer}`);
      process.stdout.write(v.json ? `${JSON.stringify({ issuer: v.issuer, untrusted: true })}\n` : `no longer trusting ${v.issuer}\n`);
    },
  ),
};
