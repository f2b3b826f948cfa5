import { en, type MessageKey } from "./en";

export type { MessageKey } from "./en";

/** The languages of the pages (OIDC Discovery ui_locales_supported); the first is the default. */
export const LOCALES = ["en", "ja"] as const;
export type Locale = (typeof LOCALES)[number];

type Catalog = Readonly<Record<MessageKey, string>>;

/**
 * English is built in; every other catalog loads with the first page in its language
 * (router/lazy.ts): the page's language is chosen in one place (router/branding/look.ts,
 * lookOf), which awaits loadLocale before anything renders in it.
 */
const CATALOGS: Partial<Record<Locale, Catalog>> = { en };
const LOADERS: Readonly<Record<Exclude<Locale, "en">, () => Promise<Catalog>>> = {
  ja: async () => (await import("./ja")).ja,
};

/** Makes `locale`'s catalog available to t(). */
export async function loadLocale(locale: Locale): Promise<void> {
  if (CATALOGS[locale] === undefined && locale !== "en") CATALOGS[locale] = await LOADERS[locale]();
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** The message `key` in `locale`, each `{name}` replaced by params.name (left as is when not given). */
export function t(locale: Locale, key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  const text = CATALOGS[locale]?.[key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * The supported locale a language tag names: exact, else its primary subtag
 * ("ja-JP" → ja, "en-GB" → en); null for anything else.
 */
export function localeOfTag(tag: string): Locale | null {
  const lower = tag.trim().toLowerCase();
  if (isLocale(lower)) return lower;
  const primary = lower.split("-")[0] ?? "";
  return isLocale(primary) ? primary : null;
}

/** OIDC Core §3.1.2.1 ui_locales: space-separated BCP 47 tags in order of preference; the first we have. */
export function localeOfUiLocales(raw: string | null | undefined): Locale | null {
  if (!raw) return null;
  for (const tag of raw.split(" ").slice(0, 20)) {
    const locale = tag ? localeOfTag(tag) : null;
    if (locale) return locale;
  }
  return null;
}

/** RFC 9110 §12.5.4 Accept-Language: the supported locale of highest q (ties: the earlier one); q=0 refuses. */
export function localeOfAcceptLanguage(raw: string | null | undefined): Locale | null {
  if (!raw) return null;
  let best: { locale: Locale; q: number } | null = null;
  for (const part of raw.split(",").slice(0, 30)) {
    const [tag = "", ...params] = part.split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    const locale = tag.trim() === "*" ? LOCALES[0] : localeOfTag(tag);
    if (locale && (best === null || q > best.q)) best = { locale, q };
  }
  return best?.locale ?? null;
}

/**
 * The page language: ui_locales of the authorization request (OIDC Core §3.1.2.1), then
 * Accept-Language, then English. (No switcher, so no cookie: the browser's setting is the person's.)
 */
export function negotiateLocale(sources: { uiLocales?: string | null; acceptLanguage?: string | null }): Locale {
  return localeOfUiLocales(sources.uiLocales) ?? localeOfAcceptLanguage(sources.acceptLanguage) ?? LOCALES[0];
}
