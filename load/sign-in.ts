// Signing a seeded user in through authshard's own pages, as a browser would:
// /authorize → login page (hidden `interaction`, CSRF cookie) → POST /login →
// consent page on the first visit → POST /consent allow → redirect with a code.
// What is kept is the session cookie; consent is remembered by the provider, so
// from then on GET /authorize with the cookie answers with a code directly.
import { cookieHeader, setCookies, type Http, type HttpResponse } from "./http.ts";
import { authorizationRequest, codeFromRedirect, type ClientConfig, type Endpoints } from "./oidc.ts";

function hiddenField(html: string, name: string): string | null {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  return match ? match[1]!.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'") : null;
}

function formAction(html: string, fallback: string, base: string): string {
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(html)?.[1] ?? fallback;
  return new URL(action, base).href;
}

export type SignInResult = { cookie: string } | { problem: string };

/** Signs `email` in and returns the Cookie header value that carries the session. */
export async function signIn(http: Http, ep: Endpoints, client: ClientConfig, email: string, password: string): Promise<SignInResult> {
  const jar = new Map<string, string>();
  const send = async (url: string, form?: Record<string, string>): Promise<HttpResponse> => {
    const opts = form ? { form, headers: { cookie: cookieHeader(jar) }, step: "seed" } : { headers: { cookie: cookieHeader(jar) }, step: "seed" };
    const res = await http.request(url, opts);
    for (const [k, v] of setCookies(res)) jar.set(k, v);
    return res;
  };

  const attempt = authorizationRequest(ep, client);
  const page = await send(attempt.url);
  const loginInteraction = page.status === 200 ? hiddenField(page.text, "interaction") : null;
  if (!loginInteraction) return { problem: `authorize answered HTTP ${page.status} without a login form` };

  let res = await send(formAction(page.text, "/login", ep.authorization), { interaction: loginInteraction, email, password });
  if (res.status === 200) {
    const consentInteraction = hiddenField(res.text, "interaction");
    if (!consentInteraction || !res.text.includes('name="decision"')) return { problem: "login failed (wrong password or throttled)" };
    res = await send(formAction(res.text, "/consent", ep.authorization), { interaction: consentInteraction, decision: "allow" });
  }
  const got = codeFromRedirect(res, client, attempt.state);
  if ("problem" in got) return { problem: `sign-in ended with ${got.problem} (HTTP ${res.status})` };
  const session = [...jar].find(([name]) => name.endsWith("authshard_session"));
  if (!session) return { problem: "no session cookie was set" };
  return { cookie: `${session[0]}=${session[1]}` };
}
