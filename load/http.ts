// HTTP for the load suite: one undici Pool per origin with keep-alive connections
// (the seed's principle 4), redirects never followed (codes come back in Location),
// every body read to the end so the timing covers the whole response.
import { Pool } from "undici";
import type { Outcome } from "./report/stats.ts";

/** Header the worker's metrics mode groups call counts by (src/router/metrics.ts). */
export const LOAD_STEP_HEADER = "x-load-step";
const TIMEOUT_MS = 30_000;

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  headers?: Record<string, string>;
  /** A raw body; `form` takes precedence. */
  body?: string;
  /** A form body (sent as application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** Value of the x-load-step header, naming the request type for the worker's counters. */
  step?: string;
}

export class Http {
  private readonly pools = new Map<string, Pool>();
  private readonly connections: number;
  constructor(connections: number) {
    this.connections = connections;
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.connections, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Throws on network errors; any HTTP status is a response. */
  async request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
    let body = opts.body;
    if (opts.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    }
    if (opts.step) headers[LOAD_STEP_HEADER] = opts.step;
    const started = performance.now();
    const res = await this.pool(target.origin).request({
      path: target.pathname + target.search,
      method: opts.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text, ms: performance.now() - started };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** name → value of every Set-Cookie of the response (attributes dropped). */
export function setCookies(res: HttpResponse): Map<string, string> {
  const raw = res.headers["set-cookie"];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out = new Map<string, string>();
  for (const line of lines) {
    const pair = line.split(";")[0] ?? "";
    const eq = pair.indexOf("=");
    if (eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return out;
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** The OAuth `error` of a JSON error body, if there is one. */
export function oauthError(res: HttpResponse): string | undefined {
  if (!res.text.startsWith("{")) return undefined;
  try {
    const body = JSON.parse(res.text) as { error?: unknown };
    return typeof body.error === "string" ? body.error.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/** A request's Outcome: `check` decides success and may name what was wrong. */
export async function timed(
  http: Http,
  name: string,
  url: string,
  opts: RequestOptions,
  check: (res: HttpResponse) => string | null,
): Promise<{ outcome: Outcome; res: HttpResponse | null }> {
  const started = performance.now();
  try {
    const res = await http.request(url, opts);
    const problem = check(res);
    const outcome: Outcome = { step: name, ms: res.ms, ok: problem === null, status: res.status };
    if (problem !== null) outcome.error = problem;
    return { outcome, res };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const error = typeof code === "string" ? code : err instanceof Error ? err.name : "network";
    return { outcome: { step: name, ms: performance.now() - started, ok: false, status: "network", error }, res: null };
  }
}
