import type { Context } from "hono";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { rateLimited } from "../errors";
import type { AppEnv } from "../types";
import { counterKey } from "./keys";
import { TOKEN_CLIENT, type RateLimitRule } from "./rules";

/** Bindings already reported as failing in this isolate: one log line each, not one per request. */
const reported = new Set<string>();

/**
 * Whether the rule's counter for `key` is still under its limit; one `limit()`
 * call, which also counts this request. A limiter that fails (a missing binding,
 * an error from the service) lets the request through: the limits shed abuse,
 * and an outage of theirs must not take sign-in down with it.
 */
async function underLimit(env: Env, rule: RateLimitRule, key: string): Promise<boolean> {
  try {
    return (await env[rule.binding].limit({ key })).success;
  } catch (error) {
    if (!reported.has(rule.binding)) {
      reported.add(rule.binding);
      console.error(`rate limit ${rule.binding} failed; letting requests through:`, error instanceof Error ? error.message : String(error));
    }
    return true;
  }
}

/**
 * Counts the request against `rule` under the key `key()` gives, and throws 429
 * rate_limited (Retry-After: the rule's period) once the counter is over the
 * limit. With RATE_LIMITS=off it does nothing, not even the key's hash.
 */
export async function enforce(env: Env, config: Config, rule: RateLimitRule, key: () => Promise<string>): Promise<void> {
  if (!config.rateLimits) return;
  if (!(await underLimit(env, rule, await key()))) throw rateLimited(rule.what, rule.periodS);
}

/**
 * The per-client limit of /token, /revoke and /introspect, counted once the
 * client has authenticated: requests that merely name a client (with a wrong
 * secret, from anywhere) must not spend its budget and lock it out.
 */
export function limitClient(c: Context<AppEnv>, clientId: string): Promise<void> {
  return enforce(c.env, c.var.config, TOKEN_CLIENT, () => counterKey("client", clientId));
}
