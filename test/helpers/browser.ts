import { call, ORIGIN } from "./http";

/**
 * A minimal browser for driving the login and consent pages from workerd tests:
 * a cookie jar, redirects not followed (the test inspects them), and the hidden
 * fields of the page's form. Headless Chromium covers the real browser in test/browser.
 */
export class TestBrowser {
  /**
   * `send` is how requests reach the worker (its fetch handler by default; the
   * degradation tests send through a worker whose bindings fail); `cookies` lets a
   * second browser share the first one's jar.
   */
  constructor(
    private readonly send: (path: string, init: RequestInit) => Promise<Response> = call,
    readonly cookies = new Map<string, string>(),
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await this.send(path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET a URL (absolute on the provider, or a path). */
  get(url: string): Promise<Response> {
    const u = new URL(url, ORIGIN);
    return this.request(u.pathname + u.search);
  }

  post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** The value of a hidden input in an HTML page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page:\n${html.slice(0, 2000)}`);
  return match[1]!.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/** The authorization response parameters of a redirect to the client. */
export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get("location");
  if (!location) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location).searchParams;
}
