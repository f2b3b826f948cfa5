// HTTP client for the operator API (/admin/*), authenticated with ADMIN_TOKEN.
import { CliError, UsageError } from "./args.ts";
import { devVarsPath, readDevVar } from "./dev-vars.ts";

export const DEFAULT_URL = "http://127.0.0.1:8787";
const REQUEST_TIMEOUT_MS = 30_000;
/** How often one request waits out the operator API's rate limit (429) before giving up. */
const RATE_LIMIT_WAITS = 5;
/** The longest Retry-After honoured: the limit's window is at most a minute. */
const LONGEST_RETRY_AFTER_S = 60;

export interface AdminResponse {
  status: number;
  /** Seconds from a Retry-After header (429, 503), else null. */
  retryAfterS?: number | null;
  /** Parsed JSON when the response is JSON, otherwise the raw text ("" when empty). */
  body: unknown;
}

export interface AdminClient {
  readonly url: string;
  request(method: string, path: string, body?: unknown): Promise<AdminResponse>;
}

/** Provider base URL: the --url flag, else $AUTHSHARD_URL, else the local dev server. */
export function resolveUrl(flag?: string): string {
  const raw = flag ?? process.env.AUTHSHARD_URL ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`invalid provider URL '${raw}'`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(`provider URL must be http(s): '${raw}'`);
  }
  return parsed.href.replace(/\/+$/, "");
}

/** ADMIN_TOKEN from the environment, else from `.dev.vars` in the current directory. */
export function resolveToken(): string {
  const fromEnv = process.env.ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const path = devVarsPath();
  const fromFile = readDevVar(path, "ADMIN_TOKEN");
  if (fromFile) return fromFile;
  throw new CliError(
    `no ADMIN_TOKEN: set it in the environment or in ${path} (npm start creates one)`,
  );
}

export function adminClient(opts: { url?: string; token?: string } = {}): AdminClient {
  const url = resolveUrl(opts.url);
  const token = opts.token ?? resolveToken();

  async function send(method: string, path: string, bearer: string, body?: unknown): Promise<AdminResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${bearer}`,
      accept: "application/json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: "manual",
      });
    } catch (err) {
      throw new CliError(describeFetchError(err, url));
    }
    const text = await res.text();
    let parsed: unknown = text;
    const looksJson = (res.headers.get("content-type") ?? "").includes("json") || /^\s*[{[]/.test(text);
    if (text !== "" && looksJson) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Keep the raw text; callers print it as-is.
      }
    }
    return { status: res.status, body: parsed, retryAfterS: retryAfter(res.headers.get("retry-after")) };
  }

  /**
   * Sends, and waits out the operator API's rate limit (README "Rate limits"): a 429
   * is answered before the request is handled, so sending it again is safe even for
   * a POST. A long rebalance slows down to the limit instead of failing halfway.
   */
  async function sendPaced(method: string, path: string, body?: unknown): Promise<AdminResponse> {
    for (let waits = 0; ; waits++) {
      const res = await send(method, path, token, body);
      if (res.status !== 429 || waits >= RATE_LIMIT_WAITS) return res;
      const seconds = Math.min(res.retryAfterS ?? 1, LONGEST_RETRY_AFTER_S);
      if (waits === 0) process.stderr.write(`rate limited by ${url}: waiting ${seconds} s (${errorMessage(res)})\n`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }

  /**
   * A 404 can mean "no such user" or "no operator API at all". Ask again
   * with a token that cannot be valid: a live operator API rejects it (401),
   * a disabled one answers 404 again.
   */
  async function operatorApiIsOff(): Promise<boolean> {
    const probe = await send("GET", "/admin/users/probe", "invalid-token-probe");
    return probe.status === 404;
  }

  return {
    url,
    async request(method, path, body) {
      const res = await sendPaced(method, path, body);
      if (res.status === 401) {
        throw new CliError(`ADMIN_TOKEN rejected by ${url} (it must match ADMIN_TOKEN on the server)`);
      }
      if (res.status === 404 && path.startsWith("/admin") && (await operatorApiIsOff())) {
        throw new CliError(`operator API is off at ${url} (ADMIN_TOKEN unset on the server)`);
      }
      return res;
    },
  };
}

/** Retry-After in seconds (RFC 9110 §10.2.3; the provider sends delta-seconds), or null. */
function retryAfter(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Math.max(1, Number(header.trim()));
}

function describeFetchError(err: unknown, url: string): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") {
    return `no answer from ${url} within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const code = e.cause?.code ?? "";
  if (code === "ECONNREFUSED") {
    return `cannot reach ${url}: is the provider running? (npm start)`;
  }
  const detail = e.cause?.message ?? e.message ?? String(err);
  return `cannot reach ${url}: ${detail}${code && !detail.includes(code) ? ` (${code})` : ""}`;
}

/** The server's error code (JSON `error`) of a failed response, if it sent one. */
export function errorCode(res: AdminResponse): string | null {
  const error = (res.body as { error?: unknown } | null)?.error;
  return typeof error === "string" ? error : null;
}

/** The server's error_description (or error code) from a failed response. */
export function errorMessage(res: AdminResponse): string {
  const body = res.body;
  if (body && typeof body === "object") {
    const { error, error_description } = body as { error?: unknown; error_description?: unknown };
    if (typeof error_description === "string" && error_description) return error_description;
    if (typeof error === "string" && error) return `${error} (HTTP ${res.status})`;
  }
  const text = typeof body === "string" ? body.trim().slice(0, 500) : JSON.stringify(body);
  return `HTTP ${res.status}${text ? `: ${text}` : ""}`;
}
