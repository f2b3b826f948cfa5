import { Hono } from "hono/tiny";
import { lazyApp } from "../lazy";
import { noStore } from "../no-store";
import type { PagesEnv } from "../pages/env";
import { pageOnError } from "../pages/errors";
import { limitByAddress } from "../rate-limit/middleware";
import { PAGES_IP } from "../rate-limit/rules";
import { federationSignIn } from "./sign-in";

/** The round trip to an upstream identity provider. */
const federation = new Hono<PagesEnv>()
  .use("/federation-start", noStore())
  .use("/federation-callback", noStore())
  .on("POST", "/federation-start", limitByAddress(PAGES_IP))
  .on(["GET", "POST"], "/federation-callback", limitByAddress(PAGES_IP))
  .route("/", federationSignIn);
federation.onError(pageOnError);

/** Federation sign-in, loaded on its first request (../lazy.ts). */
export default lazyApp((app) => app.route("/", federation));
