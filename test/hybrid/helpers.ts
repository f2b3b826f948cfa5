import { hiddenField, TestBrowser } from "../helpers/browser";
import { authorizeUrl } from "../helpers/oidc";

/**
 * Drives authorize → login → consent as a person would and returns the provider's
 * last answer: the redirect to the client (query or fragment) or the form_post page.
 */
export async function authorizationResponse(browser: TestBrowser, params: Record<string, string>, user: { email: string; password: string }): Promise<Response> {
  let res = await browser.get(authorizeUrl(params));
  if (res.status !== 200) return res;
  let html = await res.text();
  if (html.includes('action="login"')) {
    res = await browser.post("/login", { interaction: hiddenField(html, "interaction"), email: user.email, password: user.password });
    if (res.status !== 200) return res;
    html = await res.text();
  }
  if (html.includes('action="consent"')) return browser.post("/consent", { interaction: hiddenField(html, "interaction"), decision: "allow" });
  return new Response(html, { status: 200, headers: res.headers });
}

/** The parameters of a redirect's fragment (Multiple Response Type Encoding Practices §2.1). */
export function fragmentParams(res: Response): URLSearchParams {
  const location = res.headers.get("location");
  if (!location) throw new Error(`expected a redirect, got ${res.status}`);
  const url = new URL(location);
  if (url.search !== "") throw new Error(`expected nothing in the query, got ${url.search}`);
  return new URLSearchParams(url.hash.slice(1));
}

/** The hidden fields of a form_post page (OAuth 2.0 Form Post Response Mode §2). */
export async function formPostFields(res: Response): Promise<URLSearchParams> {
  const html = await res.text();
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields.set(m[1]!, hiddenField(m[0], m[1]!));
  return fields;
}
