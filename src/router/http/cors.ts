import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * CORS for the endpoints browser apps (public clients) call from their own origin:
 * any origin, no cookies involved. Only a request that says where it comes from
 * (`Origin`) is a browser's, so only those pay for it: server-side clients, most of
 * the token endpoint's traffic, skip the middleware (it was ~3 % of a refresh's
 * samples when it ran for every request). Retry-After (a 429 or 503) is exposed: it
 * is not a CORS-safelisted header, and without it the app could not tell how long to wait.
 */
export function browserCors(methods: string[]): MiddlewareHandler {
  // DPoP (RFC 9449): browser apps send the DPoP header and must read DPoP-Nonce (§8) and the DPoP challenge (§7.1).
  const dpop = { allowHeaders: ["DPoP"], exposeHeaders: ["DPoP-Nonce", "WWW-Authenticate"] };
  const middleware = cors({ origin: "*", allowMethods: methods, allowHeaders: ["Authorization", "Content-Type", ...dpop.allowHeaders], exposeHeaders: ["Retry-After", ...dpop.exposeHeaders], maxAge: 600 });
  return (c, next) => (c.req.header("Origin") === undefined ? next() : middleware(c, next));
}
