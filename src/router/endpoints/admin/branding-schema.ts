import * as z from "zod/mini";
import { HEX_COLOR, LOGO_NAME, MAX_DISPLAY_NAME, MAX_TEXT } from "../../../branding/brand";

/**
 * A client's branding as the operator API takes it (PUT /admin/clients/:id/branding).
 * Every field is optional: what is left out falls back to the deployment's BRAND_*.
 * Colours are exactly #rrggbb (they go into the page's style block); the logo is the name
 * POST /admin/branding/logos returned (checked to exist); texts are plain text.
 */
const color = z.string().check(z.regex(HEX_COLOR, "must be a hex colour #rrggbb"));
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** RFC 7591 §2 links for the consent page: https only (they become links a person follows). */
const httpsUrl = z.string().check(
  z.maxLength(2000),
  z.refine((value) => URL.canParse(value) && new URL(value).protocol === "https:", "must be an https URL"),
);

export const brandingBody = z.strictObject({
  display_name: z.optional(text(MAX_DISPLAY_NAME)),
  logo: z.optional(z.string().check(z.regex(LOGO_NAME, "must be a logo name returned by POST /admin/branding/logos (<sha256>.png|jpg|webp)"))),
  primary_color: z.optional(color),
  background_color: z.optional(color),
  text: z.optional(z.strictObject({ en: z.optional(text(MAX_TEXT)), ja: z.optional(text(MAX_TEXT)) })),
  client_uri: z.optional(httpsUrl),
  policy_uri: z.optional(httpsUrl),
  tos_uri: z.optional(httpsUrl),
});

export type BrandingBody = z.infer<typeof brandingBody>;
