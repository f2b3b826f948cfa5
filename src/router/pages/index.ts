import { Hono } from "hono/tiny";
import { authorizeEndpoint } from "../endpoints/authorize";
import { consentEndpoint } from "../endpoints/consent";
import { loginEndpoint } from "../endpoints/login";
import { logoutEndpoint } from "../endpoints/logout";
import { noStore } from "../no-store";
import type { PagesEnv } from "./env";
import { pageOnError } from "./errors";

/**
 * The endpoints a person's browser visits: one sub-app with one error handler
 * (./errors.tsx) and no caching of anything they answer (pages, redirects carrying
 * codes, error pages).
 */
export const pages = new Hono<PagesEnv>()
  // Per path: a "*" middleware here would apply to every route of the app this is mounted in.
  .use("/authorize", noStore())
  .use("/login", noStore())
  .use("/consent", noStore())
  .use("/logout", noStore())
  .route("/", authorizeEndpoint)
  .route("/", loginEndpoint)
  .route("/", consentEndpoint)
  .route("/", logoutEndpoint);

pages.onError(pageOnError);
