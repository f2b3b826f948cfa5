import { Hono } from "hono/tiny";
import { loadConfig } from "../config";
import { admin } from "./endpoints/admin";
import { deviceAuthorizationEndpoint } from "./device/start";
import { backchannelAuthenticationEndpoint } from "./ciba/start";
import { discovery } from "./endpoints/discovery";
import { health } from "./endpoints/health";
import { introspectEndpoint } from "./endpoints/introspect";
import { jwks } from "./endpoints/jwks";
import { registration } from "./endpoints/register";
import { revokeEndpoint } from "./endpoints/revoke";
import { tokenEndpoint } from "./endpoints/token";
import { parEndpoint } from "./par/push";
import { userinfoEndpoint } from "./endpoints/userinfo";
import { OAuthError } from "./errors";
import { observe } from "./observability/middleware";
import { onError } from "./on-error";
import { pages } from "./pages";
import { securityHeaders } from "./security-headers";
import { brandingAssets } from "./branding/logos";
import type { AppEnv } from "./types";
// Admin console: HTML pages at /admin and /admin/console/*, before the JSON operator API.
import { adminConsole } from "./console";
import { samlMetadata } from "./saml/metadata";
import { scim } from "./scim";

/** The router: endpoint sub-apps composed in one place. */
export const app = new Hono<AppEnv>()
  .use("*", observe())
  .use("*", async (c, next) => {
    c.set("config", loadConfig(c.env));
    await next();
  })
  .use("*", securityHeaders())
  .route("/", health)
  .route("/", discovery)
  .route("/", jwks)
  .route("/", pages)
  .route("/", tokenEndpoint)
  .route("/", deviceAuthorizationEndpoint)
  .route("/", parEndpoint)
  .route("/", backchannelAuthenticationEndpoint)
  .route("/", userinfoEndpoint)
  .route("/", revokeEndpoint)
  .route("/", introspectEndpoint)
  .route("/", registration)
  .route("/", adminConsole)
  .route("/admin", admin)
  // SAML 2.0 IdP metadata (src/router/saml); SSO and SLO are pages (src/router/pages).
  .route("/", samlMetadata)
  // SCIM 2.0 provisioning (RFC 7644)
  .route("/scim/v2", scim)
  // Branding: uploaded logos, served from this origin (the pages' CSP: img-src 'self').
  .route("/", brandingAssets);

// Rendered here rather than thrown: a not-found runs after the middleware chain, so a
// throw would skip the security headers that every other response gets on its way out.
app.notFound((c) => onError(new OAuthError("not_found", 404, "no such endpoint"), c));
app.onError(onError);
