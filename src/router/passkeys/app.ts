import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import { passkeySignIn } from "./sign-in";
import { passkeyAfterSignUp } from "./sign-up";

/** Each answer is a sign-in attempt, limited like the password form. */
const passkeys = new Hono<PagesEnv>()
  .use("/passkey-options", noStore())
  .use("/passkey-login", noStore())
  .use("/signup-passkey", noStore())
  .use("/signup-continue", noStore())
  .on("POST", "/passkey-options", limitByAddress(PAGES_IP))
  .on("POST", "/passkey-login", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup-passkey", limitByAddress(CREDENTIAL_FORMS_IP))
  .on("POST", "/signup-continue", limitByAddress(PAGES_IP))
  .route("/", passkeySignIn)
  .route("/", passkeyAfterSignUp);
passkeys.onError(pageOnError);

/** Passkey sign-in and the passkey offered after sign-up, loaded on their first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", passkeys));
