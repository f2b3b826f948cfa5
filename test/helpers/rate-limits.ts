import { env } from "cloudflare:workers";
import type { Env } from "../../src/env";
import { app } from "../../src/router/app";
import type { LimitBinding } from "../../src/router/rate-limit/rules";
import { ORIGIN } from "./http";

/** A binding with the real one's interface that records the keys it is asked about. */
export interface RecordingLimit extends RateLimit {
  readonly keys: string[];
}

/**
 * The test's own binding, counting in miniflare's rate-limit simulation (the same
 * service the real binding talks to) but with `limit` requests per 60 s instead of
 * the wrangler.jsonc figure. Production's binding takes only `key`; the simulation
 * also takes `limit` and `period`, which is what makes small limits testable.
 */
export function smallLimit(binding: RateLimit, limit: number): RecordingLimit {
  const keys: string[] = [];
  return {
    keys,
    limit(options) {
      keys.push(options.key);
      return binding.limit({ ...options, limit, period: 60 } as RateLimitOptions);
    },
  };
}

/** A binding that records its keys and lets everything through, or fails when asked. */
export function fakeLimit(outcome: "allow" | "refuse" | "throw"): RecordingLimit {
  const keys: string[] = [];
  return {
    keys,
    async limit(options) {
      keys.push(options.key);
      if (outcome === "throw") throw new Error("rate limiter unavailable");
      return { success: outcome === "allow" };
    },
  };
}

/** The worker's env with the limits switched on (or as `RATE_LIMITS` says) and some bindings replaced. */
export function limitedEnv(overrides: Partial<Record<LimitBinding, RateLimit>> & { RATE_LIMITS?: string; ADMIN_TOKEN?: string } = {}): Env {
  return { ...(env as unknown as Env), RATE_LIMITS: "on", ...overrides };
}

/** A request to the router with `workerEnv`, from client address `ip` (null: no CF-Connecting-IP header). */
export function callAs(workerEnv: Env, ip: string | null, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (ip !== null) headers.set("CF-Connecting-IP", ip);
  return Promise.resolve(app.request(new URL(path, ORIGIN).href, { redirect: "manual", ...init, headers }, workerEnv));
}

/** A fresh address (IPv4 benchmarking range, RFC 2544; IPv6 documentation prefix, RFC 3849), so no two tests share a counter. */
export function freshIp(family: 4 | 6 = 4): string {
  const [a, b, c] = crypto.getRandomValues(new Uint16Array(3));
  return family === 4 ? `198.${18 + (a! % 2)}.${b! % 256}.${c! % 256}` : `2001:db8:${a!.toString(16)}:${b!.toString(16)}::${c!.toString(16)}`;
}

/**
 * Miniflare's simulation counts in windows aligned to the clock (the minute, for
 * 60 s). A test that makes N+1 requests and expects the last one refused must not
 * straddle a boundary, so it first waits out a window with under `needMs` left.
 */
export async function roomInWindow(needMs = 5_000, periodS = 60): Promise<void> {
  const left = periodS * 1000 - (Date.now() % (periodS * 1000));
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
