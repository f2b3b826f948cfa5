// `npm run saml` commands: the SAML service providers, registered from their metadata XML
// (PUT /admin/saml/service-providers), listed and removed.
import { readFileSync } from "node:fs";
import { UsageError, formatHelp, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient } from "./admin-client.ts";
import { commandSpec, expectStatus as expect, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";
import { takeRepeated } from "./repeated-flags.ts";

interface ServiceProvider {
  entity_id: string;
  display_name: string;
  acs_urls: string[];
  slo: { url: string; binding: string } | null;
  name_id_format: string;
  sign_response: boolean;
  sign_assertion: boolean;
  encrypt_assertion?: boolean;
  want_authn_requests_signed: boolean;
  attribute_map: Record<string, string>;
}

const ADD_OPTIONS = {
  metadata: { type: "string", required: true, placeholder: "FILE", description: "The SP's metadata XML (an EntityDescriptor with one SPSSODescriptor)." },
  name: { type: "string", placeholder: "NAME", description: "Shown on the sign-in page (default: the entityID)." },
  "name-id": { type: "string", placeholder: "FORMAT", description: "email, persistent or unspecified (default: the first the metadata lists that we support, else email)." },
  sign: { type: "string", placeholder: "WHAT", description: "response, assertion or both (default both; WantAssertionsSigned in the metadata always signs the assertion)." },
  encrypt: { type: "boolean", description: "Send assertions encrypted to the SP's encryption certificate (its metadata must have one)." },
} as const satisfies Options;

export const addSpec = commandSpec("saml", "add", "Register a SAML service provider from its metadata XML (create or replace).", ADD_OPTIONS, "--attribute OURS=THEIRS renames an attribute for this SP (email, name, given_name, family_name); repeatable.");

/** `add`'s command line as the PUT body; "help" for --help. Throws UsageError. `read` reads the metadata file. */
export function readAdd(argv: readonly string[], read: (path: string) => string = (p) => readFileSync(p, "utf8")): { values: CommonValues<typeof ADD_OPTIONS>; body: Record<string, unknown> } | "help" {
  const { repeated, rest } = takeRepeated(argv, ["attribute"]);
  const parsed = readArgs(addSpec, rest);
  if (parsed.help) return "help";
  const v = parsed.values;
  let metadata: string;
  try {
    metadata = read(v.metadata);
  } catch (error) {
    throw new UsageError(`--metadata: cannot read ${v.metadata}: ${(error as Error).message}`);
  }
  const body: Record<string, unknown> = { metadata_xml: metadata };
  if (v.name !== undefined) body.display_name = v.name;
  if (v["name-id"] !== undefined) {
    if (!["email", "persistent", "unspecified"].includes(v["name-id"])) throw new UsageError(`--name-id must be email, persistent or unspecified, not '${v["name-id"]}'`);
    body.name_id_format = v["name-id"];
  }
  if (v.sign !== undefined) {
    if (!["response", "assertion", "both"].includes(v.sign)) throw new UsageError(`--sign must be response, assertion or both, not '${v.sign}'`);
    body.sign_response = v.sign !== "assertion";
    body.sign_assertion = v.sign !== "response";
  }
  if (v.encrypt) body.encrypt_assertion = true;
  if (repeated.attribute.length) {
    const map: Record<string, string> = {};
    for (const pair of repeated.attribute) {
      const [ours, theirs, ...extra] = pair.split("=");
      if (!ours || !theirs || extra.length) throw new UsageError(`--attribute must be OURS=THEIRS, e.g. email=urn:oid:0.9.2342.19200300.100.1.3, not '${pair}'`);
      map[ours] = theirs;
    }
    body.attribute_map = map;
  }
  return { values: v, body };
}

export function formatSp(sp: ServiceProvider): string {
  const signed = sp.sign_response && sp.sign_assertion ? "response+assertion" : sp.sign_response ? "response" : "assertion";
  return [
    `${sp.entity_id}  "${sp.display_name}"`,
    `  ACS ${sp.acs_urls.join(" ")}`,
    `  SLO ${sp.slo ? `${sp.slo.url} (${sp.slo.binding.split(":").at(-1)})` : "none"}`,
    `  NameID ${sp.name_id_format}  signs ${signed}${sp.encrypt_assertion ? "  encrypts the assertion" : ""}${sp.want_authn_requests_signed ? "  requires signed AuthnRequests" : ""}`,
    ...(Object.keys(sp.attribute_map).length ? [`  attributes ${Object.entries(sp.attribute_map).map(([a, b]) => `${a}→${b}`).join(" ")}`] : []),
  ].join("\n");
}

export const SAML_COMMANDS: Record<string, Command> = {
  add: {
    summary: addSpec.summary!,
    main: async (argv) => {
      const request = readAdd(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(addSpec));
        return;
      }
      const res = await adminClient({ url: request.values.url }).request("PUT", "/admin/saml/service-providers", request.body);
      expect(res, [200, 201]);
      print(request.values.json, res, () => `${res.status === 201 ? "registered" : "updated"} ${formatSp((res.body as { service_provider: ServiceProvider }).service_provider)}`);
    },
  },

  list: simpleCommand("saml", "list", "List the registered SAML service providers.", {}, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", "/admin/saml/service-providers");
    expect(res, [200]);
    const list = (res.body as { service_providers: ServiceProvider[] }).service_providers;
    print(v.json, res, () => (list.length === 0 ? "no SAML service providers" : list.map(formatSp).join("\n")));
  }),

  remove: simpleCommand(
    "saml",
    "remove",
    "Remove a SAML service provider (other isolates within CLIENT_CACHE_TTL_MS).",
    { "entity-id": { type: "string", required: true, placeholder: "ID", description: "The SP's entityID, as list shows it." } },
    async (v) => {
      const res = await adminClient({ url: v.url }).request("DELETE", `/admin/saml/service-providers/${encodeURIComponent(v["entity-id"])}`);
      expect(res, [204], `no SAML service provider ${v["entity-id"]}`);
      print(v.json, res, () => `removed ${v["entity-id"]}`);
    },
  ),
};
