import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP } from "../rate-limit/rules";
import { devMailboxPage } from "./dev-mailbox";
import { emailSignIn } from "./sign-in";
import { signUp } from "./sign-up";

/** Each form a credential form. One path segment each: the shared pages' forms post to relative URLs. */
const EMAIL_PATHS = ["/email-login", "/email-code", "/email-link", "/forgot-password", "/reset-password", "/signup-start", "/signup", "/signup-code", "/dev/mail"];

const pages = new Hono<PagesEnv>();
for (const path of EMAIL_PATHS) pages.use(path, noStore());
pages
  .on("POST", EMAIL_PATHS.filter((path) => path !== "/email-link" && path !== "/dev/mail"), limitByAddress(CREDENTIAL_FORMS_IP))
  .on("GET", "/email-link", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", emailSignIn)
  .route("/", signUp)
  .route("/", devMailboxPage);
pages.onError(pageOnError);

/** Email codes, magic links, password reset and sign-up, and the dev mailbox, loaded on their first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", pages));
