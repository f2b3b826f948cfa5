import { checkFormCsrf, formCsrfValue, securedPage } from "../pages/form-csrf";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Config } from "../../config";
import { storedScope } from "../../oauth/scopes";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { getClient } from "../clients/registry";
import { signInForDevice } from "../device/sign-in";
import { OAuthError } from "../errors";
import { formParams, queryParams, type Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { CibaApprovePage, CibaDonePage, CibaLoginPage } from "../views/ciba";
import { parseRequestRef } from "./ids";
import { askSecondFactor, completePageSecondFactor, meetsMfa, mfaRequiredFor } from "../mfa/page-step";

const GONE = "This sign-in request has expired, was already answered, or does not exist. Start again from the application.";
const OTHER_USER = "This request is for another account. Sign in as the account the application named.";

/** The live request behind an approval link, or a 404 page's error. */
async function pendingRequest(c: Context<PagesEnv>, raw: string | undefined) {
  const ref = parseRequestRef(raw);
  if (!ref) throw new OAuthError("not_found", 404, GONE);
  const found = await callShard(c.env, c.var.config, ref.bucket, (shard) => shard.findCiba(ref.bucket, ref.requestId));
  if (!found.ok && found.error === "not_found") throw new OAuthError("not_found", 404, GONE);
  if (!found.ok) throw shardFailure(found, "change", "the request lookup");
  const client = await getClient(c.env, c.var.config, found.clientId);
  if (!client) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  return { ...found, ref: `${ref.bucket}.${ref.requestId}`, client };
}

/**
 * GET and POST /ciba?request=… (CIBA Core §8): the person signs in with the login form's
 * check (the device page's sign-in step), sees client, scopes and binding message, and
 * approves or denies. Only the user the request names may answer it: another signed-in
 * account is asked to sign in as that one. Every step looks the request up again.
 */
async function cibaPage(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const isPost = c.req.method === "POST";
  const form = isPost ? await formParams(c) : queryParams(c);
  if (isPost) await checkFormCsrf(c, config, form, "open the link again");
  const pending = await pendingRequest(c, form.get("request"));
  const csrf = await formCsrfValue(c, config);
  const base = { csrf, request: pending.ref, clientName: pending.client.clientName };
  const loginPage = async (error: string | null, status: 200 | 401 | 403 | 429 = 200) => c.html(<CibaLoginPage security={await securedPage(c, pending.client)} {...base} email={form.get("email") ?? ""} error={error} />, status);

  let session: SessionRef | null = await readSessionCookie(c, config);
  // Two-factor sign-in: the code step posts back here (a TOTP user's sign-in, or the policy's step-up).
  const mfaStep = { action: "/ciba", fields: { request: pending.ref }, clientName: pending.client.clientName };
  if (isPost && form.get("step") === "login") {
    const signedIn = await signInForDevice(c, form, pending.clientId);
    if ("error" in signedIn) return loginPage(signedIn.error, signedIn.status);
    if ("secondFactor" in signedIn) return askSecondFactor(c, mfaStep, { ...signedIn.secondFactor, sid: null });
    session = signedIn.session;
  } else if (isPost && form.get("step") === "second_factor") {
    const done = await completePageSecondFactor(c, form, pending.clientId, mfaStep);
    if ("page" in done) return done.page;
    session = done.session;
  }
  if (!session) return loginPage(null);
  // The request lives in its user's bucket: a session of another bucket is another user's.
  if (session.bucket !== pending.bucket) return loginPage(OTHER_USER, 403);
  const current = session;
  const decision = isPost ? form.get("decision") : undefined;
  if (decision === undefined) {
    const approver = await callShard(c.env, config, current.bucket, (shard) => shard.deviceApprover(current.bucket, current.hash));
    if (!approver.ok && approver.error === "login_required") return loginPage(null);
    if (!approver.ok) throw shardFailure(approver, "sign-in", "the sign-in");
    if (approver.userId !== pending.userId) return loginPage(OTHER_USER, 403);
    if (mfaRequiredFor(config, pending.client) && !meetsMfa(approver.acr)) return askSecondFactor(c, mfaStep, { userId: approver.userId, bucket: current.bucket, sid: approver.sid });
    return c.html(<CibaApprovePage security={await securedPage(c, pending.client)} {...base} email={approver.email} scopes={[...storedScope(pending.scope)]} bindingMessage={pending.bindingMessage} />);
  }
  if (decision !== "allow" && decision !== "deny") throw new OAuthError("invalid_request", 400, "decision must be allow or deny");
  const input = { bucket: pending.bucket, requestId: pending.requestId, sessionHash: current.hash, approve: decision === "allow", requireMfa: mfaRequiredFor(config, pending.client) };
  const decided = await callShard(c.env, config, pending.bucket, (shard) => shard.decideCiba(input));
  if (!decided.ok) {
    if (decided.error === "login_required") return loginPage(null);
    if (decided.error === "conflict") return loginPage(OTHER_USER, 403);
    if (decided.error === "not_found") throw new OAuthError("not_found", 404, GONE);
    throw shardFailure(decided, "change", "the decision");
  }
  return c.html(<CibaDonePage security={await securedPage(c, pending.client)} approved={input.approve} />);
}

export const cibaApprovalPage = new Hono<PagesEnv>().get("/ciba", cibaPage).post("/ciba", cibaPage);
