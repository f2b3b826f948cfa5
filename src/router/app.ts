import { Hono } from "hono/tiny";
import { discovery } from "./endpoints/discovery";
import { health } from "./endpoints/health";
import { introspectEndpoint } from "./endpoints/introspect";
import { jwks } from "./endpoints/jwks";
import { revokeEndpoint } from "./endpoints/revoke";
import { tokenEndpoint } from "./endpoints/token";
import { parEndpoint } from "./par/push";
import { userinfoEndpoint } from "./endpoints/userinfo";
import { observe } from "./observability/middleware";
import { notFound, onError } from "./on-error";
import { pages } from "./pages";
import { securityHeaders } from "./security-headers";
import { brandingAssets } from "./branding/logos";
import type { AppEnv } from "./types";
import { lazy, withConfig } from "./lazy";

const registration = lazy(() => import("./registration/app"));
const operator = lazy(() => import("./console/app"));
const saml = lazy(() => import("./saml/app"));
const scim = lazy(() => import("./scim/app"));
const account = lazy(() => import("./account/app"));
const federation = lazy(() => import("./federation/app"));
const passkeys = lazy(() => import("./passkeys/app"));
const device = lazy(() => import("./device/app"));
const ciba = lazy(() => import("./ciba/app"));
const email = lazy(() => import("./email/app"));

/** The router: endpoint sub-apps composed in one place. */
export const app = new Hono<AppEnv>()
  .use("*", observe())
  .use("*", withConfig())
  .use("*", securityHeaders())
  .route("/", health)
  .route("/", discovery)
  .route("/", jwks)
  .route("/", pages)
  .route("/", tokenEndpoint)
  .route("/", parEndpoint)
  .route("/", userinfoEndpoint)
  .route("/", revokeEndpoint)
  .route("/", introspectEndpoint)
  // Branding: uploaded logos, served from this origin (the pages' CSP: img-src 'self').
  .route("/", brandingAssets)
  // Loaded on their first request (./lazy.ts): none is on the token, userinfo or sign-in path.
  // Dynamic client registration (RFC 7591/7592).
  .all("/register", registration)
  .all("/register/*", registration)
  // The admin console's pages (/admin, /admin/console/*) and the JSON operator API.
  .all("/admin", operator)
  .all("/admin/*", operator)
  // SAML 2.0 IdP: metadata, SSO and SLO.
  .all("/saml/*", saml)
  // SCIM 2.0 provisioning (RFC 7644).
  .all("/scim/v2", scim)
  .all("/scim/v2/*", scim)
  // The account page; federation sign-in; passkey sign-in.
  .all("/account", account)
  .all("/account/*", account)
  .all("/federation-start", federation)
  .all("/federation-callback", federation)
  .on(["GET", "POST"], ["/passkey-options", "/passkey-login", "/signup-passkey", "/signup-continue"], passkeys)
  // The device authorization grant (RFC 8628) and CIBA: their endpoints and approval pages.
  .all("/device_authorization", device)
  .all("/device", device)
  .all("/bc-authorize", ciba)
  .all("/ciba", ciba)
  .all("/dev/ciba", ciba)
  // Email codes, magic links, password reset, sign-up, and the local mailbox.
  .all("/email-login", email)
  .all("/email-code", email)
  .all("/email-link", email)
  .all("/forgot-password", email)
  .all("/reset-password", email)
  .all("/signup-start", email)
  .all("/signup", email)
  .all("/signup-code", email)
  .all("/dev/mail", email);

// Rendered here rather than thrown: a not-found runs after the middleware chain, so a
// throw would skip the security headers that every other response gets on its way out.
app.notFound(notFound);
app.onError(onError);
