import type { Context } from "hono";
import { mergeBrand } from "../../branding/brand";
import type { Config } from "../../config";
import { loadLocale, negotiateLocale, type Locale } from "../../i18n";
import type { RegisteredClient } from "../clients/registry";
import type { PageLook } from "../views/layout";

/**
 * A page's language and brand. `uiLocale` is the one the authorization request asked for
 * (ui_locales, carried in the signed interaction so every page of one sign-in keeps it);
 * else the browser's Accept-Language. The client's branding comes from its cached
 * registration, so this costs no D1 query. The language's catalog is loaded here (the first
 * page in a language an isolate shows waits for it), so every text of the page can be had.
 */
export async function lookOf(c: Context, config: Config, client?: RegisteredClient | null, uiLocale?: Locale | null): Promise<PageLook> {
  const locale = negotiateLocale({ uiLocales: uiLocale ?? null, acceptLanguage: c.req.header("Accept-Language") ?? null });
  await loadLocale(locale);
  return { locale, brand: mergeBrand(config.branding, client?.branding ?? null) };
}
