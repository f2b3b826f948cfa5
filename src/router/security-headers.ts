import type { MiddlewareHandler } from "hono";

/**
 * Headers on every response. JSON endpoints need no content at all, so the default
 * CSP denies everything; HTML pages set their own stricter-than-nothing policy
 * (nonces, the client's origin in form-action), which is kept: a header the handler
 * set is never overwritten.
 *
 * A fixed list set after the handler, rather than hono's secureHeaders: these values
 * never change per request, and the profile of the token endpoint showed
 * secureHeaders rebuilding them on every request (about 2 % of its samples, and 5.7 KiB
 * of the bundle). The values are the ones secureHeaders produced with the options this
 * provider used; test/foundation/security-headers.test.ts pins them.
 *
 * JSON and JWT bodies (the token, userinfo, introspection, JWKS, discovery and
 * operator APIs) get the four headers that protect an API response: the CSP that
 * denies everything and every frame, X-Frame-Options for browsers without
 * frame-ancestors, nosniff, and HSTS (the OWASP REST Security Cheat Sheet's set;
 * Cache-Control is the endpoints' own). The other six only act on a document a
 * browser renders or navigates through (its opener, its referrer, its prefetching,
 * its plugins), so pages, redirects and every other body get all ten. Measured with
 * `npm run load:compare`, the six headers on every /userinfo response cost about 8 %
 * of its throughput (authshard/ceiling 0.78× with all ten, 0.84× without any set).
 */
const API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
];

const DOCUMENT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ...API_HEADERS,
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
];

/** application/json, application/jwt and the +json types (jwk-set+json, scim+json, ...). */
function isApiBody(type: string | null): boolean {
  return type !== null && type.startsWith("application/") && (type.startsWith("application/jwt") || type.includes("json"));
}

export const securityHeaders = (): MiddlewareHandler => async (c, next) => {
  await next();
  const headers = c.res.headers;
  for (const [name, value] of isApiBody(headers.get("Content-Type")) ? API_HEADERS : DOCUMENT_HEADERS) if (!headers.has(name)) headers.set(name, value);
  headers.delete("X-Powered-By");
};
