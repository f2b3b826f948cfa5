import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { afterShard, askFor, showLogin } from "../authorize/flow";
import { openInteraction } from "../authorize/interaction";
import { deliverError } from "../authorize/respond";
import { readSessionCookie } from "../authorize/session-cookie";
import { getClient } from "../clients/registry";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { callShard } from "../shards/call";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";

/** The consent page's answer: Allow remembers the scopes and issues the code in one shard call. */
async function consent(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const { req, sid } = await openInteraction(c, c.env, config, form.get("interaction"));
  const client = await getClient(c.env, config, req.clientId);
  if (!client || !client.redirectUris.includes(req.redirectUri) || !sid) {
    throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  }
  // The signed interaction carries a request /authorize validated, and the client still has its redirect URI.
  trustRedirect(c, req);
  const decision = form.get("decision");
  if (decision === "deny") {
    return deliverError(c, config, req, new OAuthError("access_denied", 400, "the user denied the request", { redirectable: true }));
  }
  if (decision !== "allow") throw new OAuthError("invalid_request", 400, "decision must be allow or deny");
  const session = await readSessionCookie(c, config);
  if (!session) return showLogin(c, c.env, config, client, req);
  const { code, ask } = await askFor(config, req, session.bucket);
  const result = await callShard(c.env, config, session.bucket, (shard) => shard.grantConsent(session.bucket, session.hash, sid, ask));
  return afterShard(c, c.env, config, client, req, code, result);
}

export const consentEndpoint = new Hono<PagesEnv>().post("/consent", consent);
