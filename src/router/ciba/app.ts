import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { CREDENTIAL_FORMS_IP, PAGES_IP } from "../rate-limit/rules";
import { cibaDevListing } from "./dev-listing";
import { cibaApprovalPage } from "./page";
import { backchannelAuthenticationEndpoint } from "./start";

/** The approval page, as limited as the device page, and the local listing. */
const pages = new Hono<PagesEnv>()
  .use("/ciba", noStore())
  .use("/dev/ciba", noStore())
  .on("GET", "/ciba", limitByAddress(PAGES_IP))
  .on("POST", "/ciba", limitByAddress(CREDENTIAL_FORMS_IP))
  .route("/", cibaApprovalPage)
  .route("/", cibaDevListing);
pages.onError(pageOnError);

/** CIBA: the backchannel authentication endpoint and its pages, loaded on their first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", backchannelAuthenticationEndpoint).route("/", pages));
