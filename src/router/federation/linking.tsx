import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { claimIdentity, releaseIdentity, type UpstreamRow } from "../d1/upstreams";
import { OAuthError } from "../errors";
import { formParams } from "../http/params";
import { checkFormCsrf, formCsrfValue } from "../pages/form-csrf";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { LinkedIdentitiesPage } from "../views/federation";
import type { FederationOp, LinkedIdentityView } from "../../actors/user-shard/api";
import { linkOf } from "./accounts";
import { findUpstream, loginUpstreams } from "./providers";
import { startRoundTrip } from "./state";
import { authorizationUrl, finishUpstream, UpstreamError } from "./upstream-client";
import { upstreamMessage } from "./sign-in";

/**
 * The account's linked identities (GET /account/linked): a signed-in person links another
 * upstream (the same round trip as a sign-in, ending here instead of in an authorization)
 * and unlinks one — never the last way into the account.
 */
const AGAIN = "open the account page again";

async function shardOp(c: Context<PagesEnv>, op: FederationOp) {
  return callShard(c.env, c.var.config, op.bucket, (shard) => shard.federation(op));
}

async function render(c: Context<PagesEnv>, links: LinkedIdentityView[], notice: string | null, error: string | null, status: 200 | 400 | 409 = 200) {
  const config = c.var.config;
  const upstreams = await loginUpstreams(c.env, config, true);
  // The Link buttons' form ends at an upstream: the CSP's form-action must allow it (it covers redirects).
  const security = pageSecurity(upstreams.map((u) => u.origin));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  const page = <LinkedIdentitiesPage security={security} csrf={await formCsrfValue(c, config)} links={links} upstreams={upstreams} notice={notice} error={error} />;
  return c.html(page, status);
}

/** The signed-in user and their links; null when nobody is signed in here. */
async function signedIn(c: Context<PagesEnv>): Promise<{ session: SessionRef; userId: string; links: LinkedIdentityView[] } | null> {
  const session = await readSessionCookie(c, c.var.config);
  if (!session) return null;
  const listed = await shardOp(c, { op: "list", bucket: session.bucket, sessionHash: session.hash });
  if (!listed.ok && listed.error === "login_required") return null;
  if (!listed.ok) throw shardFailure(listed, "sign-in", "the account page");
  return { session, userId: listed.userId, links: listed.links ?? [] };
}

async function show(c: Context<PagesEnv>): Promise<Response> {
  const who = await signedIn(c);
  if (!who) return c.redirect("/account", 303);
  return render(c, who.links, null, null);
}

async function submit(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkFormCsrf(c, config, form, AGAIN);
  const who = await signedIn(c);
  if (!who) return c.redirect("/account", 303);
  const provider = form.get("provider") ?? "";
  if (form.get("action") === "link") {
    const row = await findUpstream(c.env, config, provider);
    if (!row) return render(c, who.links, null, "That sign-in provider is not available.", 400);
    const trip = await startRoundTrip(c, c.env, config, row.id, undefined);
    return c.redirect(authorizationUrl(config, row, trip.state, trip.codeChallenge, trip.nonce), 303);
  }
  if (form.get("action") !== "unlink") throw new OAuthError("invalid_request", 400, "unknown action");
  const subject = form.get("subject") ?? "";
  const done = await shardOp(c, { op: "unlink", bucket: who.session.bucket, sessionHash: who.session.hash, provider, subject });
  if (!done.ok && done.error === "conflict") return render(c, who.links, null, "This is the only way to sign in to your account. Link another provider or set a password first.", 409);
  if (!done.ok && done.error === "not_found") return render(c, who.links, null, "That identity is not linked.", 400);
  if (!done.ok) throw shardFailure(done, "change", "unlinking");
  // The index entry goes after the shard let go: a crash in between leaves an entry the next sign-in relinks, never a lost account.
  await releaseIdentity(c.env.DB, provider, subject, who.userId);
  return render(c, done.links ?? [], "Unlinked.", null);
}

/** The round trip's return leg for a link (from ./sign-in.ts callback): the identity claimed for the signed-in user. */
export async function finishLink(c: Context<PagesEnv>, row: UpstreamRow, params: URLSearchParams, verifier: string, nonce: string): Promise<Response> {
  const config = c.var.config;
  const who = await signedIn(c);
  if (!who) throw new OAuthError("invalid_request", 400, `you are no longer signed in; ${AGAIN}`);
  let identity;
  try {
    identity = await finishUpstream(config, row, params, verifier, nonce);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    console.warn(`federation link ${row.id}: ${error.reason}: ${error.detail}`);
    return render(c, who.links, null, upstreamMessage(error, row), 400);
  }
  const owner = await claimIdentity(c.env.DB, row.id, identity.subject, who.userId);
  if (owner !== who.userId) return render(c, who.links, null, `This ${row.displayName} account is already linked to another account.`, 409);
  const link = await linkOf(config, row, identity, who.userId);
  const done = await shardOp(c, { op: "link", bucket: who.session.bucket, sessionHash: who.session.hash, link });
  if (!done.ok) {
    await releaseIdentity(c.env.DB, row.id, identity.subject, who.userId);
    throw shardFailure(done, "change", "linking");
  }
  return render(c, done.links ?? [], `${row.displayName} is linked: you can sign in with it.`, null);
}

export const federationAccount = new Hono<PagesEnv>().get("/account/linked", show).post("/account/linked", submit);
