import type { Child } from "hono/jsx";
import { randomToken } from "../../oauth/secrets";

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
}

export function pageSecurity(formTargets: string[] = [], frameTargets: string[] = []): PageSecurity {
  return { nonce: randomToken(16), formTargets, frameTargets };
}

export function contentSecurityPolicy(security: PageSecurity): string {
  const targets = ["'self'", ...new Set(security.formTargets)].join(" ");
  return [
    "default-src 'none'",
    `style-src 'nonce-${security.nonce}'`,
    `script-src 'nonce-${security.nonce}'`,
    // Passkeys: the page's script fetches the WebAuthn options from this origin (src/router/views/passkeys.tsx).
    "connect-src 'self'",
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
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <style nonce={props.security.nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
