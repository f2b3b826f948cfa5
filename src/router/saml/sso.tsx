import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { chooseAcs, chooseNameIdFormat, checkAuthnRequest, ISSUE_INSTANT_PAST_MS, readAuthnRequest, type AuthnRequest } from "../../saml/authn-request";
import { verifyRedirectSignature } from "../../saml/bindings";
import { samlUrls } from "../../saml/idp-metadata";
import { SamlInputError, toPem } from "../../saml/xml";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import { readSessionCookie, type SessionRef } from "../authorize/session-cookie";
import { signInForDevice } from "../device/sign-in";
import { OAuthError } from "../errors";
import { queryParams } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { checkFormCsrf, formCsrfValue, securedPage } from "../pages/form-csrf";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { SamlLoginPage } from "../views/saml";
import { MAX_RELAY_STATE, openPending, signPending, type PendingSso } from "./pending";
import { respondWithAssertion, respondWithStatus } from "./respond";
import { getServiceProvider } from "./service-providers";
import { readSamlRequest, samlForm } from "./form";
import type { SamlSpRow } from "../d1/saml-service-providers";

/** Bad SAML input is a page for the person (never a redirect to an ACS nobody vouched for). */
export function refused(error: unknown): never {
  if (error instanceof SamlInputError) throw new OAuthError("invalid_request", 400, error.message);
  throw error;
}

async function knownSp(c: Context<PagesEnv>, entityId: string): Promise<SamlSpRow> {
  const sp = await getServiceProvider(c.env, c.var.config, entityId);
  if (!sp) throw new OAuthError("invalid_request", 400, `the service provider ${entityId.slice(0, 200)} is not registered with this provider`);
  return sp;
}

/**
 * Each AuthnRequest ID is accepted once per SP: spent in the shard of the bucket its
 * (entityID, ID) hash names — state before the user is known (DESIGN.md) — for as long
 * as its IssueInstant would still be accepted. Of concurrent copies exactly one passes.
 */
async function spendRequestId(c: Context<PagesEnv>, req: AuthnRequest): Promise<void> {
  const keyHash = await sha256(JSON.stringify(["saml-authn-request", req.issuer, req.id]));
  const bucket = bucketOf(keyHash);
  const expiresAt = Math.max(req.issueInstant + ISSUE_INSTANT_PAST_MS, Date.now()) + 60_000;
  const spent = await callShard(c.env, c.var.config, bucket, (shard) => shard.spendAssertion({ bucket, keyHash, expiresAt }));
  if (spent.ok) return;
  if (spent.error === "invalid_grant") throw new OAuthError("invalid_request", 400, "this AuthnRequest was already used; start again from the application");
  throw shardFailure(spent, "change", "the SAML request check");
}

/** Reads and checks an AuthnRequest from either binding; the pending SSO it asks for. */
async function acceptAuthnRequest(c: Context<PagesEnv>, binding: "redirect" | "post"): Promise<PendingSso> {
  const config = c.var.config;
  try {
    const { xml, relayState, signature: querySig } = await readSamlRequest(c, binding);
    const req = readAuthnRequest(xml);
    if (binding === "redirect" && req.signature !== null) throw new SamlInputError("over HTTP-Redirect the signature goes in the query string, not in the XML");
    const sp = await knownSp(c, req.issuer);
    if (querySig) {
      if (sp.metadata.signingCerts.length === 0) throw new SamlInputError("the request is signed but the service provider registered no signing certificate");
      verifyRedirectSignature(querySig, sp.metadata.signingCerts.map(toPem));
    }
    checkAuthnRequest(req, sp, samlUrls(config.issuer).sso, querySig !== null, Date.now());
    const pending = { sp: sp.entityId, requestId: req.id, acs: chooseAcs(req, sp), format: chooseNameIdFormat(req, sp), relayState, forceAuthn: req.forceAuthn, passive: req.isPassive };
    await spendRequestId(c, req);
    return pending;
  } catch (error) {
    return refused(error);
  }
}

async function loginPage(c: Context<PagesEnv>, sp: SamlSpRow, pending: PendingSso, error: string | null = null, email = "", status: 200 | 401 | 429 = 200) {
  const config = c.var.config;
  const token = await signPending(c.env, config, pending);
  const csrf = await formCsrfValue(c, config);
  return c.html(<SamlLoginPage security={await securedPage(c)} csrf={csrf} pending={token} spName={sp.displayName} email={email} error={error} />, status);
}

/** With a live session (and no ForceAuthn) the response goes at once; otherwise the sign-in page. */
async function continueSso(c: Context<PagesEnv>, pending: PendingSso): Promise<Response> {
  const config = c.var.config;
  const sp = await knownSp(c, pending.sp);
  const session: SessionRef | null = pending.forceAuthn ? null : await readSessionCookie(c, config);
  const answered = session ? await respondWithAssertion(c, c.env, config, sp, pending, session) : null;
  if (answered) return answered;
  // IsPassive (SAML Core §3.4.1): never show a page; tell the SP no one is signed in.
  if (pending.passive) return respondWithStatus(c, c.env, config, pending, { status: "Responder", subStatus: "NoPassive", message: "no one is signed in" });
  return loginPage(c, sp, pending);
}

/** GET /saml/sso (HTTP-Redirect binding): the browser's cookies came along, so the request is answered here. */
async function ssoRedirect(c: Context<PagesEnv>): Promise<Response> {
  return continueSso(c, await acceptAuthnRequest(c, "redirect"));
}

/**
 * POST /saml/sso (HTTP-POST binding): a cross-site POST carries no SameSite=Lax session
 * cookie, so after the checks the browser is sent on to GET /saml/continue, a top-level
 * navigation that does carry it.
 */
async function ssoPost(c: Context<PagesEnv>): Promise<Response> {
  const pending = await acceptAuthnRequest(c, "post");
  return c.redirect(`/saml/continue?pending=${encodeURIComponent(await signPending(c.env, c.var.config, pending))}`, 303);
}

async function ssoContinue(c: Context<PagesEnv>): Promise<Response> {
  return continueSso(c, await openPending(c, c.env, c.var.config, queryParams(c).get("pending")));
}

/** POST /saml/sign-in: the password step (the stand-alone pages' one), then the response. */
async function signIn(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const form = await samlForm(c);
  await checkFormCsrf(c, config, form, "start again from the application");
  const pending = await openPending(c, c.env, config, form.get("pending"));
  const sp = await knownSp(c, pending.sp);
  const signedIn = await signInForDevice(c, form, `saml:${sp.entityId}`.slice(0, 200));
  if ("error" in signedIn) return loginPage(c, sp, pending, signedIn.error, (form.get("email") ?? "").slice(0, 320), signedIn.status);
  // Two-factor sign-in: this page has no code step; the account page signs in with both factors.
  if ("secondFactor" in signedIn) return loginPage(c, sp, pending, "This account uses two-factor sign-in: sign in on your account page (/account) first, then come back.", (form.get("email") ?? "").slice(0, 320), 401);
  const answered = await respondWithAssertion(c, c.env, config, sp, pending, signedIn.session);
  return answered ?? loginPage(c, sp, pending);
}

/**
 * GET /saml/idp-initiated?sp=<entityID>&RelayState=… (SAML Profiles §4.1.5, unsolicited
 * response): to the SP's default ACS, without InResponseTo.
 */
async function idpInitiated(c: Context<PagesEnv>): Promise<Response> {
  const params = queryParams(c);
  const sp = await knownSp(c, params.get("sp") ?? "");
  const relayState = params.get("RelayState") ?? null;
  if (relayState !== null && relayState.length > MAX_RELAY_STATE) throw new OAuthError("invalid_request", 400, "RelayState is too long");
  return continueSso(c, { sp: sp.entityId, requestId: null, acs: sp.metadata.acs[0]!.url, format: sp.nameIdFormat, relayState, forceAuthn: false });
}

export const samlSso = new Hono<PagesEnv>()
  .get("/saml/sso", ssoRedirect)
  .post("/saml/sso", ssoPost)
  .get("/saml/continue", ssoContinue)
  .post("/saml/sign-in", signIn)
  .get("/saml/idp-initiated", idpInitiated);
