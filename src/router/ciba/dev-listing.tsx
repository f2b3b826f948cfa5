import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { stubFor } from "../../shard/stub";
import { OAuthError } from "../errors";
import type { PagesEnv } from "../pages/env";
import { currentMap } from "../shards/map-cache";
import { CibaDevListing } from "../views/ciba";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { approvalLink } from "./ids";

/**
 * GET /dev/ciba: where the authentication device's notifications would go when no
 * webhook is configured — every shard's pending requests with their approval links, so
 * `npm start` runs CIBA end to end. Asks every shard, so it exists only in local mode
 * (CIBA_DEV_LISTING, on under `wrangler dev`, off in env.production): 404 otherwise.
 */
async function devListing(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  if (!config.ciba.devListing) throw new OAuthError("not_found", 404, "no such endpoint");
  const map = await currentMap(c.env, config);
  const lists = await Promise.all(map.shards.map((name) => stubFor(c.env, name).pendingCiba()));
  const requests = lists.flatMap((r) => (r.ok ? r.requests : [])).map((r) => ({ ...r, link: approvalLink(config.issuer, r.bucket, r.requestId) }));
  const security = pageSecurity();
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return c.html(<CibaDevListing security={security} requests={requests} />);
}

export const cibaDevListing = new Hono<PagesEnv>().get("/dev/ciba", devListing);
