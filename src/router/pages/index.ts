import { Hono } from "hono/tiny";
import { authorizeEndpoint } from "../endpoints/authorize";
import { consentEndpoint } from "../endpoints/consent";
import { loginEndpoint } from "../endpoints/login";
import { logoutEndpoint } from "../endpoints/logout";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import type { PagesEnv } from "./env";
import { pageOnError } from "./errors";
import { secondFactorEndpoint } from "../mfa/step";

/**
 * The endpoints a person's browser visits: one sub-app with one error handler
 * (./errors.tsx), no caching of anything they answer (pages, redirects carrying
 * codes, error pages), and per-address rate limits: the pages' own, and a tighter
 * one on the login form, where each attempt costs a password derivation.
 */
export const pages = new Hono<PagesEnv>()
  // Per path: a "*" middleware here would apply to every route of the app this is mounted in.
  .use("/authorize", noStore())
  .use("/login", noStore())
  .use("/consent", noStore())
  .use("/logout", noStore())
  .use("/authorize", limitByAddress(PAGES_IP))
  .use("/consent", limitByAddress(PAGES_IP))
  .use("/logout", limitByAddress(PAGES_IP))
  .on("POST", "/login", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", authorizeEndpoint)
  .route("/", loginEndpoint)
  .route("/", consentEndpoint)
  .route("/", logoutEndpoint)
  // Two-factor sign-in (src/router/mfa): each code is a guess, limited like the password form.
  .use("/second-factor", noStore())
  .on("POST", "/second-factor", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", secondFactorEndpoint);
// The device and CIBA approval pages, email sign-in and sign-up, the account page, SAML,
// federation and passkeys are pages too, each a sub-app of its own loaded on its first
// request (../lazy.ts), with the same middleware and error handler.

pages.onError(pageOnError);
