import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types";
import { enforce } from "./limit";
import { addressKey, counterKey } from "./keys";
import { OPERATOR, type RateLimitRule } from "./rules";
// Admin console: scoped operator tokens and console operators count apart from ADMIN_TOKEN.
import { operatorOf } from "../endpoints/admin/operator";

/**
 * A per-address limit, mounted on the paths it guards (never on "*": discovery,
 * JWKS and the health check stay unlimited). It runs before the handler reads the
 * body or authenticates anyone, so a refused request costs one `limit()` call.
 */
export function limitByAddress<E extends AppEnv>(rule: RateLimitRule): MiddlewareHandler<E> {
  return async (c, next) => {
    await enforce(c.env, c.var.config, rule, () => addressKey(c.req.header("CF-Connecting-IP")));
    await next();
  };
}

/**
 * The operator API's limit per operator token, mounted after the token check:
 * only an accepted token has a counter (there is one ADMIN_TOKEN today; a
 * rotation starts a fresh one), and a wrong token is refused before any I/O.
 */
export function limitByOperatorToken(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // requireAdmin let the request through, so the token it carried is the configured one.
    await enforce(c.env, c.var.config, OPERATOR, () => counterKey("operator", scopedCaller(c) ?? c.var.config.adminToken ?? ""));
    await next();
  };
}

/** A scoped token or a console operator: its own counter, so the console cannot starve automation. */
function scopedCaller(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | null {
  const operator = operatorOf(c);
  if (!operator || (operator.kind === "token" && operator.tokenId === null)) return null;
  return operator.kind === "token" ? `token-id:${operator.tokenId}` : `user:${operator.userId}`;
}
