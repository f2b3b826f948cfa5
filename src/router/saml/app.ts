import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import { samlMetadata } from "./metadata";
import { samlSlo } from "./slo";
import { samlSso } from "./sso";

/** SSO and SLO are pages a browser visits (the pages' error handler); the sign-in form is a credential form. */
const samlPages = new Hono<PagesEnv>()
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
  .route("/", samlSlo);
samlPages.onError(pageOnError);

/** SAML 2.0 IdP (src/saml), loaded on its first request (../lazy.ts): metadata, SSO and SLO. */
export default lazyApp((app) => app.route("/", samlMetadata).route("/", samlPages));
