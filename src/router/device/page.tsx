import { checkFormCsrf, formCsrfValue, securedPage } from "../pages/form-csrf";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Config } from "../../config";
import { newId } from "../../oauth/artifacts";
import { storedScope } from "../../oauth/scopes";
import { sha256 } from "../../oauth/secrets";
import { bucketOfUserCode, displayUserCode, normalizeUserCode } from "../../oauth/user-code";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { getClient } from "../clients/registry";
import { OAuthError } from "../errors";
import { formParams, queryParams, type Params } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { DeviceApprovePage, DeviceCodePage, DeviceDonePage, DeviceLoginPage } from "../views/device";
import { signInForDevice } from "./sign-in";
import { askSecondFactor, completePageSecondFactor, meetsMfa, mfaRequiredFor } from "../mfa/page-step";

/**
 * A wrong code costs the person (or a guesser) this long, on top of the per-address
 * limit on POST /device: 20^8 ≈ 2.56e10 codes, few of them pending at once.
 */
export const WRONG_CODE_DELAY_MS = 1_000;
const WRONG_CODE = "That code is not valid. Check the code on your device and try again; codes expire after a few minutes.";

async function codePage(c: Context<PagesEnv>, userCode: string, error: string | null = null, status: 200 | 400 = 200): Promise<Response> {
  const csrf = await formCsrfValue(c, c.var.config);
  return c.html(<DeviceCodePage security={await securedPage(c)} csrf={csrf} userCode={userCode} error={error} />, status);
}

/** GET /device (RFC 8628 §3.3): the code form, prefilled from verification_uri_complete. */
async function showDevice(c: Context<PagesEnv>): Promise<Response> {
  const typed = queryParams(c).get("user_code") ?? "";
  return codePage(c, typed.length <= 64 ? typed : "");
}

/** The pending request behind a typed code, or null (after the wrong-code delay). */
async function pendingRequest(c: Context<PagesEnv>, typed: string) {
  const code = normalizeUserCode(typed);
  if (code !== null) {
    const bucket = bucketOfUserCode(code);
    const hash = await sha256(code);
    const found = await callShard(c.env, c.var.config, bucket, (shard) => shard.findDevice(bucket, hash));
    if (found.ok) return { code, bucket, hash, clientId: found.clientId, scope: found.scope };
    if (found.error !== "not_found") throw shardFailure(found, "change", "the device code lookup");
  }
  await new Promise((resolve) => setTimeout(resolve, WRONG_CODE_DELAY_MS));
  return null;
}

/**
 * POST /device: one form for each step — code, sign-in, approve or deny. Every step
 * looks the code up again, so a request decided or expired meanwhile is refused.
 */
async function submitDevice(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await formParams(c);
  await checkFormCsrf(c, config, form, "open the device page again");
  const typed = form.get("user_code") ?? "";
  const pending = await pendingRequest(c, typed);
  if (!pending) return codePage(c, typed.slice(0, 64), WRONG_CODE, 400);
  const client = await getClient(c.env, config, pending.clientId);
  if (!client) throw new OAuthError("invalid_request", 400, "the application is no longer registered");
  const shown = displayUserCode(pending.code);
  const csrf = await formCsrfValue(c, config);
  const loginPage = async (error: string | null, status: 200 | 401 | 429 = 200) =>
    c.html(<DeviceLoginPage security={await securedPage(c, client)} csrf={csrf} userCode={shown} clientName={client.clientName} email={form.get("email") ?? ""} error={error} />, status);

  let session: SessionRef | null = await readSessionCookie(c, config);
  // Two-factor sign-in: the code step posts back here (a TOTP user's sign-in, or the policy's step-up).
  const mfaStep = { action: "/device", fields: { user_code: shown }, clientName: client.clientName };
  if (form.get("step") === "login") {
    const signedIn = await signInForDevice(c, form, client.clientId);
    if ("error" in signedIn) return loginPage(signedIn.error, signedIn.status);
    if ("secondFactor" in signedIn) return askSecondFactor(c, mfaStep, { ...signedIn.secondFactor, sid: null });
    session = signedIn.session;
  } else if (form.get("step") === "second_factor") {
    const done = await completePageSecondFactor(c, form, client.clientId, mfaStep);
    if ("page" in done) return done.page;
    session = done.session;
  }
  if (!session) return loginPage(null);
  const current = session;
  const decision = form.get("decision");
  if (decision === undefined) {
    const approver = await callShard(c.env, config, current.bucket, (shard) => shard.deviceApprover(current.bucket, current.hash));
    if (!approver.ok && approver.error === "login_required") return loginPage(null);
    if (!approver.ok) throw shardFailure(approver, "sign-in", "the sign-in");
    if (mfaRequiredFor(config, client) && !meetsMfa(approver.acr)) return askSecondFactor(c, mfaStep, { userId: approver.userId, bucket: current.bucket, sid: approver.sid });
    return c.html(<DeviceApprovePage security={await securedPage(c, client)} csrf={csrf} userCode={shown} clientName={client.clientName} email={approver.email} scopes={[...storedScope(pending.scope)]} />);
  }
  if (decision !== "allow" && decision !== "deny") throw new OAuthError("invalid_request", 400, "decision must be allow or deny");

  let approved = null;
  if (decision === "allow") {
    // Two shards, in the order that is safe: the grant first, in the user's shard; then the
    // pending row is marked. A crash between the two leaves a grant no device can redeem
    // (no device code points at it); it expires with the device code and the sweep removes it.
    const grant = { bucket: current.bucket, sessionHash: current.hash, grantId: newId(), clientId: client.clientId, scope: pending.scope, pendingTtlS: config.deviceCodeTtlS, requireMfa: mfaRequiredFor(config, client) };
    const written = await callShard(c.env, config, current.bucket, (shard) => shard.writeDeviceGrant(grant));
    if (!written.ok && written.error === "login_required") return loginPage(null);
    if (!written.ok) throw shardFailure(written, "sign-in", "the approval");
    approved = { userId: written.userId, grantId: grant.grantId, authTime: written.authTime, acr: written.acr, amr: written.amr };
  }
  const decided = await callShard(c.env, config, pending.bucket, (shard) => shard.decideDevice({ bucket: pending.bucket, userCodeHash: pending.hash, approved }));
  if (!decided.ok) {
    if (decided.error === "not_found") return codePage(c, "", WRONG_CODE, 400);
    throw shardFailure(decided, "change", "the approval");
  }
  return c.html(<DeviceDonePage security={await securedPage(c, client)} approved={approved !== null} />);
}

export const devicePage = new Hono<PagesEnv>().get("/device", showDevice).post("/device", submitDevice);
