import type { Context } from "hono";
import { mergeBrand } from "../../branding/brand";
import type { Config } from "../../config";
import { negotiateLocale, type Locale } from "../../i18n";
import type { RegisteredClient } from "../clients/registry";
import type { PageLook } from "../views/layout";

/**
 * A page's language and brand. `uiLocale` is the one the authorization request asked for
 * (ui_locales, carried in the signed interaction so every page of one sign-in keeps it);
 * else the browser's Accept-Language. The client's branding comes from its cached
 * registration, so this costs no D1 query.
 */
export function lookOf(c: Context, config: Config, client?: RegisteredClient | null, uiLocale?: Locale | null): PageLook {
  return {
    locale: negotiateLocale({ uiLocales: uiLocale ?? null, acceptLanguage: c.req.header("Accept-Language") ?? null }),
    brand: mergeBrand(config.branding, client?.branding ?? null),
  };
}
