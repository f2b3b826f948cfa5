// `npm run clients` commands for branding (README "Branding and languages"): upload a
// logo into the provider's R2 bucket, and set, show or clear a client's look.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { CliError, UsageError, formatHelp, readArgs } from "./args.ts";
import type { Options } from "./args.ts";
import { adminClient, errorMessage, resolveToken, resolveUrl } from "./admin-client.ts";
import { commandSpec, expectStatus as expect, print, simpleCommand, type Command, type CommonValues } from "./admin-commands.ts";

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp" };

const BRAND_OPTIONS = {
  client: { type: "string", required: true, placeholder: "ID", description: "The client whose pages to brand." },
  name: { type: "string", placeholder: "TEXT", description: "Display name above the page (at most 100 characters)." },
  logo: { type: "string", placeholder: "NAME", description: "A logo name from upload-logo (<sha256>.png|jpg|webp)." },
  "primary-color": { type: "string", placeholder: "#RRGGBB", description: "Buttons and links." },
  "background-color": { type: "string", placeholder: "#RRGGBB", description: "Page background." },
  text: { type: "string", placeholder: "TEXT", description: "A short text under the page, in English (at most 300 characters)." },
  "text-ja": { type: "string", placeholder: "TEXT", description: "The same text in Japanese." },
  "client-uri": { type: "string", placeholder: "URL", description: "The application's site, linked on the consent page (https)." },
  "policy-uri": { type: "string", placeholder: "URL", description: "Its privacy policy (https)." },
  "tos-uri": { type: "string", placeholder: "URL", description: "Its terms of service (https)." },
} as const satisfies Options;

export const brandSpec = commandSpec("clients", "brand", "Set a client's branding (replaces it; unset fields use the deployment's BRAND_*).", BRAND_OPTIONS);

/** `brand`'s command line as the PUT /admin/clients/:id/branding body; "help" for --help. Throws UsageError. */
export function readBrand(argv: readonly string[]): { values: CommonValues<typeof BRAND_OPTIONS>; body: Record<string, unknown> } | "help" {
  const read = readArgs(brandSpec, argv);
  if (read.help) return "help";
  const v = read.values;
  for (const flag of ["primary-color", "background-color"] as const) {
    const value = v[flag];
    if (value !== undefined && !/^#[0-9a-fA-F]{6}$/.test(value)) throw new UsageError(`--${flag} must be a hex colour #rrggbb, not '${value}'`);
  }
  const body: Record<string, unknown> = {};
  const set = (field: string, value: string | undefined) => {
    if (value !== undefined) body[field] = value;
  };
  set("display_name", v.name);
  set("logo", v.logo);
  set("primary_color", v["primary-color"]);
  set("background_color", v["background-color"]);
  set("client_uri", v["client-uri"]);
  set("policy_uri", v["policy-uri"]);
  set("tos_uri", v["tos-uri"]);
  if (v.text !== undefined || v["text-ja"] !== undefined) body.text = { ...(v.text !== undefined ? { en: v.text } : {}), ...(v["text-ja"] !== undefined ? { ja: v["text-ja"] } : {}) };
  if (Object.keys(body).length === 0) throw new UsageError("nothing to set: give at least one of --name, --logo, --primary-color, ... (unbrand clears)");
  return { values: v, body };
}

/** The Content-Type of a logo file, by its extension. Throws UsageError for anything else (SVG included). */
export function logoTypeOf(path: string): string {
  const type = IMAGE_TYPES[extname(path).toLowerCase()];
  if (!type) throw new UsageError(`${path}: a logo is a .png, .jpg or .webp file (SVG is not accepted)`);
  return type;
}

const uploadSpec = commandSpec("clients", "upload-logo", "Upload a logo (PNG, JPEG or WebP, at most 60 KiB); prints its name for brand --logo or BRAND_LOGO.", {
  file: { type: "string", required: true, placeholder: "PATH", description: "The image file." },
});

export const BRANDING_COMMANDS: Record<string, Command> = {
  "upload-logo": {
    summary: uploadSpec.summary!,
    main: async (argv) => {
      const read = readArgs(uploadSpec, argv);
      if (read.help) {
        process.stdout.write(formatHelp(uploadSpec));
        return;
      }
      const type = logoTypeOf(read.values.file);
      let bytes: Buffer;
      try {
        bytes = readFileSync(read.values.file);
      } catch (error) {
        throw new CliError(`cannot read ${read.values.file}: ${(error as Error).message}`);
      }
      // Raw bytes, not JSON: the one operator request the JSON client does not send.
      const url = resolveUrl(read.values.url);
      const res = await fetch(`${url}/admin/branding/logos`, { method: "POST", headers: { authorization: `Bearer ${resolveToken()}`, "content-type": type }, body: bytes });
      const text = await res.text();
      const body: unknown = /^\s*\{/.test(text) ? JSON.parse(text) : text;
      if (res.status !== 201) throw new CliError(errorMessage({ status: res.status, body }));
      print(read.values.json, { status: res.status, body }, () => `uploaded ${(body as { logo: string }).logo} (served at ${url}${(body as { url: string }).url})`);
    },
  },

  brand: {
    summary: brandSpec.summary!,
    main: async (argv) => {
      const request = readBrand(argv);
      if (request === "help") {
        process.stdout.write(formatHelp(brandSpec));
        return;
      }
      const res = await adminClient({ url: request.values.url }).request("PUT", `/admin/clients/${encodeURIComponent(request.values.client)}/branding`, request.body);
      expect(res, [200], `no client ${request.values.client}`);
      print(request.values.json, res, () => `branded ${request.values.client}: ${JSON.stringify((res.body as { branding: unknown }).branding)}`);
    },
  },

  branding: simpleCommand("clients", "branding", "Show a client's branding.", { client: { type: "string", required: true, placeholder: "ID", description: "The client." } }, async (v) => {
    const res = await adminClient({ url: v.url }).request("GET", `/admin/clients/${encodeURIComponent(v.client)}/branding`);
    expect(res, [200], `no client ${v.client}`);
    const branding = (res.body as { branding: unknown }).branding;
    print(v.json, res, () => (branding === null ? `${v.client}: the deployment's look (BRAND_*)` : `${v.client}: ${JSON.stringify(branding)}`));
  }),

  unbrand: simpleCommand("clients", "unbrand", "Clear a client's branding (back to the deployment's BRAND_*).", { client: { type: "string", required: true, placeholder: "ID", description: "The client." } }, async (v) => {
    const res = await adminClient({ url: v.url }).request("DELETE", `/admin/clients/${encodeURIComponent(v.client)}/branding`);
    expect(res, [204], `no client ${v.client}`);
    process.stdout.write(v.json ? `${JSON.stringify({ client_id: v.client, branding: null })}\n` : `${v.client}: branding cleared\n`);
  }),
};
