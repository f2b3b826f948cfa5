import { Hono } from "hono/tiny";
import { federationAccount } from "../federation/linking";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { passkeyAccount } from "../passkeys/account";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import { accountPage } from "./page";

/** The account page: its forms include the sign-in and code forms; linked identities; passkeys. */
const account = new Hono<PagesEnv>()
  .use("/account", noStore())
  .on("GET", "/account", limitByAddress(PAGES_IP))
  .on("POST", "/account", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", accountPage)
  .use("/account/linked", noStore())
  .on(["GET", "POST"], "/account/linked", limitByAddress(PAGES_IP))
  .route("/", federationAccount)
  // Each answer is a sign-in attempt, limited like the password form.
  .use("/account/passkey-options", noStore())
  .use("/account/passkeys", noStore())
  .on("POST", "/account/passkey-options", limitByAddress(PAGES_IP))
  .on("POST", "/account/passkeys", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", passkeyAccount);
account.onError(pageOnError);

/** The account page (/account, /account/*), loaded on its first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", account));
