import type { Child } from "hono/jsx";
import { randomToken } from "../../oauth/secrets";
import { brandCss, brandText, NO_BRAND, type Brand } from "../../branding/brand";
import { t, type Locale, type MessageKey } from "../../i18n";
import { localizeMessage } from "../../i18n/handler-messages";

/**
 * Every page is server-rendered and works without JavaScript. Style (and the one
 * script of form_post) run under a per-response nonce; nothing else may load.
 */
export interface PageSecurity {
  nonce: string;
  /** Origins a form on the page may submit to, or be redirected to after submitting. */
  formTargets: string[];
  /** Origins the page may frame (front-channel logout); none by default. */
  frameTargets?: string[];
  /** Branding and languages: the page's language and look (src/router/branding/look.ts); absent: English, unbranded. */
  look?: PageLook;
}

/** The language a page is written in and the brand it wears. */
export interface PageLook {
  locale: Locale;
  brand: Brand;
}

export function pageSecurity(formTargets: string[] = [], frameTargets: string[] = [], look?: PageLook): PageSecurity {
  return { nonce: randomToken(16), formTargets, frameTargets, ...(look ? { look } : {}) };
}

/** A handler's English message to a person, in the page's language where the catalog has it. */
export function messageOf(security: PageSecurity, text: string): string {
  return localizeMessage(security.look?.locale ?? "en", text);
}

/** The page's translator: t() in the page's language. */
export function textOf(security: PageSecurity): (key: MessageKey, params?: Record<string, string | number>) => string {
  const locale = security.look?.locale ?? "en";
  return (key, params) => t(locale, key, params);
}

export function contentSecurityPolicy(security: PageSecurity): string {
  const targets = ["'self'", ...new Set(security.formTargets)].join(" ");
  return [
    "default-src 'none'",
    `style-src 'nonce-${security.nonce}'`,
    `script-src 'nonce-${security.nonce}'`,
    // Passkeys: the page's script fetches the WebAuthn options from this origin (src/router/views/passkeys.tsx).
    "connect-src 'self'",
    // Branding: a logo is served from this origin (/branding/<hash>.<ext>), never hot-linked.
    ...(security.look?.brand.logo ? ["img-src 'self'"] : []),
    `form-action ${targets}`,
    ...(security.frameTargets?.length ? [`frame-src ${[...new Set(security.frameTargets)].join(" ")}`] : []),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #8a93a6;border-radius:.4rem;font-size:1rem}
button{margin-top:1.25rem;padding:.65rem 1.2rem;font-size:1rem;border-radius:.4rem;border:1px solid #1f4fd1;background:#2557e6;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f4fd1;margin-left:.5rem}
.error{background:#fdecea;border:1px solid #e0a39b;color:#8a1c10;padding:.6rem;border-radius:.4rem}
.muted{color:#5b6478;font-size:.9rem}
ul{padding-left:1.2rem}
`;

export function Layout(props: { title: string; security: PageSecurity; children: Child }) {
  const locale = props.security.look?.locale ?? "en";
  const brand = props.security.look?.brand ?? NO_BRAND;
  const text = brandText(brand, locale);
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <style nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: props.security.look ? STYLE + brandCss(brand) : STYLE }} />
      </head>
      <body>
        <main>
          <BrandHeader brand={brand} />
          {props.children}
          {text ? (
            <p class="muted brand-text" id="brand-text">
              {text}
            </p>
          ) : null}
        </main>
      </body>
    </html>
  );
}

/** The logo and display name above the page (nothing when the deployment and client set none). */
function BrandHeader(props: { brand: Brand }) {
  const { logo, displayName } = props.brand;
  if (!logo && !displayName) return null;
  return (
    <div class="brand">
      {logo ? <img id="brand-logo" src={`/branding/${logo}`} alt={displayName ?? ""} /> : null}
      {displayName && !logo ? <p class="brand-name">{displayName}</p> : null}
    </div>
  );
}

/** The code field of every one-time code form (second factor, emailed codes): numeric, offered the code the device received. */
export function CodeField(props: { label: string }) {
  return (
    <>
      <label for="code">{props.label}</label>
      <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus />
    </>
  );
}
