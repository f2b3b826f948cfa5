import type { MiddlewareHandler } from "hono";

/**
 * Responses that carry tokens, personal data or one-time pages must not be cached
 * (RFC 6749 §5.1, OIDC Core §5.3.2): `Cache-Control: no-store`, and the HTTP/1.0
 * `Pragma: no-cache` where RFC 6749 asks for it (the token endpoint).
 */
export const noStore =
  (options: { pragma?: boolean } = {}): MiddlewareHandler =>
  async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
    if (options.pragma) c.res.headers.set("Pragma", "no-cache");
  };
