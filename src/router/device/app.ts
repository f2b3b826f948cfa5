import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import { devicePage } from "./page";
import { deviceAuthorizationEndpoint } from "./start";

/** RFC 8628 §5.1: each code entry is a guess at a user code (and may carry a password). */
const page = new Hono<PagesEnv>()
  .use("/device", noStore())
  .on("GET", "/device", limitByAddress(PAGES_IP))
  .on("POST", "/device", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", devicePage);
page.onError(pageOnError);

/** The device authorization grant (RFC 8628): its endpoint and its page, loaded on their first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", deviceAuthorizationEndpoint).route("/", page));
