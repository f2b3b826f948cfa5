import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { mintArtifact, newId } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { afterShard, askFor, showLogin } from "../authorize/flow";
import { openInteraction } from "../authorize/interaction";
import type { AuthorizationRequest } from "../authorize/request";
import { writeSessionCookie } from "../authorize/session-cookie";
import { getClient } from "../clients/registry";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { ensureSigningKeys } from "../keys/cache";
import type { PagesEnv } from "../pages/env";
import { trustRedirect } from "../pages/errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { UpstreamRow } from "../d1/upstreams";
import { amrOf, linkOf, resolveUser } from "./accounts";
import { finishLink } from "./linking";
import { findUpstream } from "./providers";
import { endRoundTrip, startRoundTrip } from "./state";
import { authorizationUrl, finishUpstream, UpstreamError } from "./upstream-client";

/**
 * Sign in with an upstream identity provider (README "Sign in with other providers
 * (federation)"): the login page's button posts the pending authorization here, the browser
 * goes to the upstream, and comes back to /federation-callback. There one D1 read finds the
 * user the identity is linked to (or the account to link or create), and one shard call
 * opens the session (creating or linking in the same transaction) and continues the
 * authorization as the password form does.
 */

export function upstreamMessage(error: UpstreamError, row: UpstreamRow): string {
  if (error.reason === "denied") return `Signing in with ${row.displayName} was cancelled.`;
  if (error.reason === "bad_token") return `${row.displayName}'s answer could not be verified. Try again, or sign in another way.`;
  return `Signing in with ${row.displayName} did not work. Try again, or sign in another way.`;
}

async function pendingClient(c: Context<PagesEnv>, req: AuthorizationRequest) {
  const client = await getClient(c.env, c.var.config, req.clientId);
  if (!client || !client.redirectUris.includes(req.redirectUri)) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  // The request came signed by us (the interaction, then the state), validated by /authorize.
  trustRedirect(c, req);
  return client;
}

async function start(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  const { req } = await openInteraction(c, c.env, config, form.get("interaction"));
  const client = await pendingClient(c, req);
  const row = await findUpstream(c.env, config, form.get("provider") ?? "");
  if (!row) return showLogin(c, c.env, config, client, req, "That sign-in provider is not available.", "", 400);
  const trip = await startRoundTrip(c, c.env, config, row.id, req);
  return c.redirect(authorizationUrl(config, row, trip.state, trip.codeChallenge, trip.nonce), 303);
}

async function callback(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  // A form_post answer (Apple) is a cross-site POST that carries no SameSite cookie: continue as a same-site GET.
  if (c.req.method === "POST") return c.redirect(`${config.issuer}/federation-callback?${new URLSearchParams([...(await formParams(c))])}`, 303);
  const params = new URL(c.req.url).searchParams;
  const { state, verifier } = await endRoundTrip(c, c.env, config, params.get("state") ?? undefined);
  const row = await findUpstream(c.env, config, state.provider);
  if (!row) throw new OAuthError("invalid_request", 400, "this sign-in provider is no longer configured; start again from the application");
  if (!state.req) return finishLink(c, row, params, verifier, state.nonce);
  const req = state.req;
  const client = await pendingClient(c, req);
  let identity;
  try {
    identity = await finishUpstream(config, row, params, verifier, state.nonce);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    console.warn(`federation ${row.id}: ${error.reason}: ${error.detail}`);
    return showLogin(c, c.env, config, client, req, upstreamMessage(error, row), "", 400);
  }
  const resolved = await resolveUser(c.env, row, identity);
  if ("refused" in resolved) return showLogin(c, c.env, config, client, req, resolved.refused, "", 400);
  await ensureSigningKeys(c.env, config);
  const bucket = bucketOf(resolved.userId);
  const cookie = mintArtifact("s", bucket);
  const session = { idHash: await sha256(cookie), sid: newId() };
  const { code, ask } = await askFor(config, req, bucket);
  const link = await linkOf(config, row, identity, resolved.userId);
  const result = await callShard(c.env, config, bucket, (shard) =>
    shard.federation({ op: "signIn", bucket, userId: resolved.userId, create: resolved.create, link, session, amr: amrOf(row, identity), ask }),
  );
  if (!result.ok && result.error === "login_required") return showLogin(c, c.env, config, client, req, "This account is disabled.", "", 401);
  if (!result.ok) throw shardFailure(result, "sign-in", "the sign-in");
  const authorized = result.authorized!;
  if (authorized.outcome !== "second_factor" || authorized.sid !== null) writeSessionCookie(c, config, cookie);
  return afterShard(c, c.env, config, client, req, code, { ...authorized, ok: true });
}

export const federationSignIn = new Hono<PagesEnv>()
  .post("/federation-start", start)
  .get("/federation-callback", callback)
  .post("/federation-callback", callback);
