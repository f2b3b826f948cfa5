import { secureHeaders } from "hono/secure-headers";

/**
 * Headers on every response. JSON endpoints need no content at all, so the default
 * CSP denies everything; HTML pages set their own stricter-than-nothing policy.
 */
export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"] },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: "same-origin",
    xXssProtection: false,
    // Pages set their own Content-Security-Policy (nonces, the client's origin in form-action).
    overwrite: false,
  });
