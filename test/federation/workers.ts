import { createHash, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { unstable_startWorker } from "wrangler";
import { adminClient, type AdminClient } from "../../cli/lib/admin-client.ts";
import { seedDemo } from "../../cli/lib/seed.ts";
import { ROOT, WRANGLER_JS } from "../../cli/lib/wrangler.ts";
import { servingIssuer } from "../browser/harness.ts";

/**
 * Two authshard workers side by side, as `npm start` runs one: each under wrangler on its
 * own loopback port with its own storage, migrations applied, the issuer set to the URL
 * served and the demo data seeded. One is the upstream (an OpenID provider like any other),
 * the other signs people in through it.
 */
export const ADMIN_TOKEN = "federation-test-admin-token-0123456789";
type DevWorker = Awaited<ReturnType<typeof unstable_startWorker>>;
type Bindings = Record<string, { type: "secret_text" | "plain_text"; value: string }>;

export interface RunningWorker {
  base: string;
  admin: AdminClient;
  dispose(): Promise<void>;
}

export async function startWorker(name: string, extra: Record<string, string> = {}): Promise<RunningWorker> {
  const persistTo = mkdtempSync(join(tmpdir(), `authshard-federation-${name}-`));
  await promisify(execFile)(process.execPath, [WRANGLER_JS, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    timeout: 90_000,
  });
  const bindings: Bindings = { ADMIN_TOKEN: { type: "secret_text", value: ADMIN_TOKEN } };
  for (const [key, value] of Object.entries(extra)) bindings[key] = { type: "plain_text", value };
  const worker: DevWorker = await unstable_startWorker({
    config: join(ROOT, "wrangler.jsonc"),
    bindings,
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, logLevel: process.env.FEDERATION_TEST_LOG === "1" ? "warn" : "error", persist: persistTo, watch: false },
  });
  const dispose = async () => {
    await worker.dispose();
    rmSync(persistTo, { recursive: true, force: true });
  };
  await worker.ready;
  const base = (await worker.url).origin;
  await worker.patchConfig({ bindings: { ...bindings, ISSUER: { type: "plain_text", value: base } } });
  await worker.ready;
  await servingIssuer(base);
  const admin = adminClient({ url: base, token: ADMIN_TOKEN });
  if (!(await seedDemo(admin, () => {}))) {
    await dispose();
    throw new Error(`seeding ${name} failed`);
  }
  return { base, admin, dispose };
}

/** Cookies per origin, as a browser keeps them (enough of RFC 6265 for these workers: name=value, Max-Age=0 deletes). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.jars.get(new URL(url).origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  store(url: string, response: Response): void {
    const jar = this.jars.get(new URL(url).origin) ?? new Map<string, string>();
    this.jars.set(new URL(url).origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair!.indexOf("=");
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** Another browser with this one's cookies for `origin` (the same person signed in there). */
  copyTo(other: CookieJar, origin: string): void {
    other.jars.set(origin, new Map(this.jars.get(origin) ?? []));
  }

  set(origin: string, name: string, value: string): void {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    jar.set(name, value);
  }

  get(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }
}

export const CLIENT_REDIRECT = "http://127.0.0.1:3000/callback";

/** One request from "the browser" holding `jar`; redirects are not followed. */
export async function send(jar: CookieJar, url: string, form?: Record<string, string>): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header(url) };
  const init: RequestInit = { redirect: "manual", headers };
  if (form) {
    init.method = "POST";
    headers["content-type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  const response = await fetch(url, init);
  jar.store(url, response);
  return response;
}

/** Follows redirects like a browser until a page, or until the application's redirect URI (not served here). */
export async function browse(jar: CookieJar, url: string, form?: Record<string, string>, stopAt = CLIENT_REDIRECT): Promise<{ url: string; response: Response; html: string }> {
  let current = url;
  let response = await send(jar, current, form);
  for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
    current = new URL(response.headers.get("location")!, current).toString();
    if (current.startsWith(stopAt) || current.startsWith(CLIENT_REDIRECT)) return { url: current, response, html: "" };
    response = await send(jar, current);
  }
  return { url: current, response, html: response.status >= 300 && response.status < 400 ? "" : await response.text() };
}

export function hidden(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in:\n${html.slice(0, 2000)}`);
  return match[1]!;
}

export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}
