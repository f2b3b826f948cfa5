import { LOCALES, type Locale } from "../i18n";

/**
 * The look of the pages a person sees: per deployment (config BRAND_*) and per client
 * (the clients table's `branding` column, set through the operator API). Nothing here
 * reaches a page unparsed: colours are exactly #rrggbb (they go into the page's style
 * block, so anything else could be CSS injection), logos are names of files this
 * provider stores itself (served from its own origin, so the CSP stays img-src 'self'),
 * and texts are rendered as escaped text, never markup.
 */
export interface Brand {
  /** Shown above the page's heading (e.g. the company or product name). */
  readonly displayName: string | null;
  /** `<sha256 hex>.<png|jpg|webp>`: an uploaded logo, served at /branding/<logo>. */
  readonly logo: string | null;
  readonly primaryColor: string | null;
  readonly backgroundColor: string | null;
  /** A short text under the page, per language (a missing language falls back to English). */
  readonly text: Readonly<Partial<Record<Locale, string>>>;
}

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
export const LOGO_NAME = /^[0-9a-f]{64}\.(png|jpg|webp)$/;
export const MAX_DISPLAY_NAME = 100;
export const MAX_TEXT = 300;

export const NO_BRAND: Brand = Object.freeze({ displayName: null, logo: null, primaryColor: null, backgroundColor: null, text: Object.freeze({}) });

const stringOr = (value: unknown, ok: (s: string) => boolean): string | null => (typeof value === "string" && ok(value) ? value : null);

/**
 * A stored branding (JSON, as the operator API wrote it), each field kept only if valid:
 * a row edited by hand cannot put an unchecked colour into a style block.
 */
export function brandOf(stored: unknown): Brand {
  if (typeof stored !== "object" || stored === null) return NO_BRAND;
  const s = stored as Record<string, unknown>;
  const rawText = typeof s.text === "object" && s.text !== null ? (s.text as Record<string, unknown>) : {};
  const text: Partial<Record<Locale, string>> = {};
  for (const locale of LOCALES) {
    const value = stringOr(rawText[locale], (v) => v.length > 0 && v.length <= MAX_TEXT);
    if (value !== null) text[locale] = value;
  }
  return Object.freeze({
    displayName: stringOr(s.display_name, (v) => v.length > 0 && v.length <= MAX_DISPLAY_NAME),
    logo: stringOr(s.logo, (v) => LOGO_NAME.test(v)),
    primaryColor: stringOr(s.primary_color, (v) => HEX_COLOR.test(v)),
    backgroundColor: stringOr(s.background_color, (v) => HEX_COLOR.test(v)),
    text: Object.freeze(text),
  });
}

/** The client's branding over the deployment's, field by field (a client sets only what it changes). */
export function mergeBrand(deployment: Brand, client: Brand | null): Brand {
  if (client === null) return deployment;
  return Object.freeze({
    displayName: client.displayName ?? deployment.displayName,
    logo: client.logo ?? deployment.logo,
    primaryColor: client.primaryColor ?? deployment.primaryColor,
    backgroundColor: client.backgroundColor ?? deployment.backgroundColor,
    text: Object.keys(client.text).length > 0 ? client.text : deployment.text,
  });
}

/** The brand's text in `locale`, else in English, else none. */
export function brandText(brand: Brand, locale: Locale): string | null {
  return brand.text[locale] ?? brand.text.en ?? null;
}

/**
 * CSS appended to the page's style block (under its nonce). The colours are re-checked
 * here: this is the one place a value is written into CSS, so it is the one place that
 * must refuse anything but a hex colour.
 */
export function brandCss(brand: Brand): string {
  const rules: string[] = [];
  const primary = brand.primaryColor !== null && HEX_COLOR.test(brand.primaryColor) ? brand.primaryColor : null;
  const background = brand.backgroundColor !== null && HEX_COLOR.test(brand.backgroundColor) ? brand.backgroundColor : null;
  if (background) rules.push(`body{background:${background}}`);
  if (primary) rules.push(`button{background:${primary};border-color:${primary}}button.secondary{background:#fff;color:${primary}}a{color:${primary}}`);
  rules.push(".brand{text-align:center;margin:0 0 1rem}.brand img{max-width:12rem;max-height:4rem}.brand-name{font-weight:600}");
  return rules.join("\n");
}
