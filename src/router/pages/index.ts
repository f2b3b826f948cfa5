import { Hono } from "hono/tiny";
import { devicePage } from "../device/page";
import { cibaApprovalPage } from "../ciba/page";
import { cibaDevListing } from "../ciba/dev-listing";
import { emailSignIn } from "../email/sign-in";
import { signUp } from "../email/sign-up";
import { devMailboxPage } from "../email/dev-mailbox";
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
import { accountPage } from "../account/page";
import { samlSso } from "../saml/sso";
import { samlSlo } from "../saml/slo";
import { federationSignIn } from "../federation/sign-in";
import { federationAccount } from "../federation/linking";
import { passkeySignIn } from "../passkeys/sign-in";
import { passkeyAccount } from "../passkeys/account";
import { passkeyAfterSignUp } from "../passkeys/sign-up";

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
  .use("/device", noStore())
  .use("/authorize", limitByAddress(PAGES_IP))
  .use("/consent", limitByAddress(PAGES_IP))
  .use("/logout", limitByAddress(PAGES_IP))
  .on("POST", "/login", limitByAddress(CREDENTIAL_FORMS_IP))
  // RFC 8628 §5.1: each code entry is a guess at a user code (and may carry a password).
  .on("GET", "/device", limitByAddress(PAGES_IP))
  .on("POST", "/device", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", authorizeEndpoint)
  .route("/", loginEndpoint)
  .route("/", consentEndpoint)
  .route("/", logoutEndpoint)
  .route("/", devicePage)
  // CIBA (src/router/ciba): the approval page, as limited as the device page, and the local listing.
  .use("/ciba", noStore())
  .use("/dev/ciba", noStore())
  .on("GET", "/ciba", limitByAddress(PAGES_IP))
  .on("POST", "/ciba", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", cibaApprovalPage)
  .route("/", cibaDevListing)
  // Email codes, magic links, password reset and sign-up (src/router/email): each form a credential
  // form, and the dev mailbox. One path segment each: the shared pages' forms post to relative URLs.
  .use("/email-login", noStore())
  .use("/email-code", noStore())
  .use("/email-link", noStore())
  .use("/forgot-password", noStore())
  .use("/reset-password", noStore())
  .use("/signup-start", noStore())
  .use("/signup", noStore())
  .use("/signup-code", noStore())
  .use("/dev/mail", noStore())
  .on("POST", "/email-login", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/email-code", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/forgot-password", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/reset-password", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup-start", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup-code", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("GET", "/email-link", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", emailSignIn)
  .route("/", signUp)
  .route("/", devMailboxPage)
  // Two-factor sign-in (src/router/mfa): each code is a guess, limited like the password form.
  .use("/second-factor", noStore())
  .on("POST", "/second-factor", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", secondFactorEndpoint)
  // The account page (src/router/account): its forms include the sign-in and code forms.
  .use("/account", noStore())
  .on("GET", "/account", limitByAddress(PAGES_IP))
  .on("POST", "/account", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", accountPage)
  // SAML 2.0 IdP (src/router/saml): SSO and SLO are pages a browser visits; the sign-in form is a credential form.
  .use("/saml/sso", noStore())
  .use("/saml/continue", noStore())
  .use("/saml/sign-in", noStore())
  .use("/saml/idp-initiated", noStore())
  .use("/saml/slo", noStore())
  .use("/saml/slo/continue", noStore())
  .on(["GET", "POST"], "/saml/sso", limitByAddress(PAGES_IP))
  .on("GET", "/saml/continue", limitByAddress(PAGES_IP))
  .on("GET", "/saml/idp-initiated", limitByAddress(PAGES_IP))
  .on(["GET", "POST"], "/saml/slo", limitByAddress(PAGES_IP))
  .on("POST", "/saml/sign-in", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", samlSso)
  .route("/", samlSlo)
  // Federation (src/router/federation): the upstream round trip, and the account's linked identities.
  .use("/federation-start", noStore())
  .use("/federation-callback", noStore())
  .use("/account/linked", noStore())
  .on("POST", "/federation-start", limitByAddress(PAGES_IP))
  .on(["GET", "POST"], "/federation-callback", limitByAddress(PAGES_IP))
  .on("GET", "/account/linked", limitByAddress(PAGES_IP))
  .on("POST", "/account/linked", limitByAddress(PAGES_IP))
  .route("/", federationSignIn)
  .route("/", federationAccount)
  // Passkeys (src/router/passkeys): each answer is a sign-in attempt, limited like the password form.
  .use("/passkey-options", noStore())
  .use("/passkey-login", noStore())
  .use("/account/passkey-options", noStore())
  .use("/account/passkeys", noStore())
  .on("POST", "/passkey-options", limitByAddress(PAGES_IP))
  .on("POST", "/passkey-login", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/account/passkey-options", limitByAddress(PAGES_IP))
  .on("POST", "/account/passkeys", limitByAddress(CREDENTIAL_FORMS_IP))
  .use("/signup-passkey", noStore())
  .use("/signup-continue", noStore())
  .on("POST", "/signup-passkey", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup-continue", limitByAddress(PAGES_IP))
  .route("/", passkeySignIn)
  .route("/", passkeyAccount)
  .route("/", passkeyAfterSignUp);

pages.onError(pageOnError);
