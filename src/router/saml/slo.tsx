import type { Context } from "hono";
import { deleteCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import { signedRedirectUrl, verifyRedirectSignature } from "../../saml/bindings";
import { samlUrls } from "../../saml/idp-metadata";
import { readLogoutRequest } from "../../saml/logout-request";
import { logoutResponseXml, newSamlId } from "../../saml/response";
import { verifyEnvelopedSignature } from "../../saml/signer";
import { signElement } from "../../saml/signer";
import { BINDING_REDIRECT } from "../../saml/sp-metadata";
import { SamlInputError, toPem } from "../../saml/xml";
import { readSessionCookie, sessionCookieName } from "../authorize/session-cookie";
import { endBrowserSession } from "../logout/end";
import { frontchannelFrames } from "../logout/frontchannel";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { FrontchannelLogoutPage } from "../views/logout";
import { samlLogoutFrames } from "./logout-frames";
import { OAuthError } from "../errors";
import { queryParams } from "../http/params";
import type { PagesEnv } from "../pages/env";
import { securedPage } from "../pages/form-csrf";
import { signJwt, verifyJwt } from "../keys/cache";
import { SamlSignedOutPage } from "../views/saml";
import { readSamlRequest } from "./form";
import { samlSigning } from "./keys";
import { postToSp } from "./respond";
import { getServiceProvider } from "./service-providers";
import { refused } from "./sso";

/** A checked LogoutRequest, waiting to end this browser's session. */
interface PendingLogout {
  sp: string;
  requestId: string;
  relayState: string | null;
}

const TYP = "authshard-saml-slo+jwt";

/**
 * Reads and checks a LogoutRequest (SAML Profiles §4.4.4.1: it must be signed). Only an SP
 * that registered a signing certificate can end sessions: an unsigned request would let
 * any site sign people out.
 */
async function acceptLogoutRequest(c: Context<PagesEnv>, binding: "redirect" | "post"): Promise<PendingLogout> {
  try {
    const { xml, relayState, signature: querySig } = await readSamlRequest(c, binding);
    const req = readLogoutRequest(xml);
    const sp = await getServiceProvider(c.env, c.var.config, req.issuer);
    if (!sp) throw new SamlInputError(`the service provider ${req.issuer.slice(0, 200)} is not registered with this provider`);
    if (!sp.metadata.slo) throw new SamlInputError("the service provider registered no SingleLogoutService to answer");
    const certs = sp.metadata.signingCerts.map(toPem);
    if (certs.length === 0) throw new SamlInputError("a LogoutRequest must be signed, and the service provider registered no signing certificate");
    if (querySig) verifyRedirectSignature(querySig, certs);
    else if (req.signature && binding === "post") {
      if (!certs.some((cert) => verifies(() => verifyEnvelopedSignature(xml, req.signature!, req.id, cert)))) throw new SamlInputError("the signature does not verify");
    } else throw new SamlInputError("a LogoutRequest must be signed");
    if (req.destination !== samlUrls(c.var.config.issuer).slo) throw new SamlInputError("Destination must be this provider's SLO URL");
    return { sp: sp.entityId, requestId: req.id, relayState };
  } catch (error) {
    return refused(error);
  }
}

function verifies(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends this browser's session through the provider's own logout (back-channel notices to
 * OIDC clients go out as for any logout), then answers the SP's SLO endpoint with a signed
 * LogoutResponse over the binding it registered. Over HTTP-Redirect, the session's other
 * SAML SPs and OIDC front-channel clients are framed first (SAML Profiles §4.4.3.2) on a
 * page that then moves on to the response; an SP answered over HTTP-POST gets its response
 * at once, and the others are not framed.
 */
async function logOut(c: Context<PagesEnv>, pending: PendingLogout): Promise<Response> {
  const config = c.var.config;
  const sp = await getServiceProvider(c.env, config, pending.sp);
  if (!sp?.metadata.slo) throw new OAuthError("invalid_request", 400, "the service provider is no longer registered for single logout");
  const session = await readSessionCookie(c, config);
  const ended = session ? await endBrowserSession(c.env, config, session, null, null, "rp") : null;
  deleteCookie(c, sessionCookieName(config), { path: "/", secure: config.secureCookies, httpOnly: true, sameSite: "Lax" });
  const keys = await samlSigning(c.env, config);
  const slo = sp.metadata.slo;
  const id = newSamlId();
  const xml = logoutResponseXml({ id, issuer: samlUrls(config.issuer).entityId, destination: slo.url, inResponseTo: pending.requestId, now: Date.now() }, true);
  if (slo.binding !== BINDING_REDIRECT) return postToSp(c, slo.url, "SAMLResponse", signElement(xml, id, "LogoutResponse", keys.privateKeyPem, keys.certPem), pending.relayState);
  const next = await signedRedirectUrl(slo.url, "SAMLResponse", xml, pending.relayState, keys.privateKeyPem);
  const frames = ended ? [...(await frontchannelFrames(c.env, config, ended)), ...(await samlLogoutFrames(c.env, config, ended, sp.entityId))] : [];
  if (frames.length === 0) return c.redirect(next, 303);
  const security = pageSecurity([new URL(next).origin], frames.map((f) => new URL(f).origin));
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  return c.html(<FrontchannelLogoutPage security={security} clientName={sp.displayName} frames={frames} next={next} />);
}

/** GET /saml/slo: a LogoutRequest over HTTP-Redirect (the session cookie comes along), or an SP's LogoutResponse. */
async function sloRedirect(c: Context<PagesEnv>): Promise<Response> {
  if (queryParams(c).has("SAMLResponse")) return c.html(<SamlSignedOutPage security={await securedPage(c)} />);
  return logOut(c, await acceptLogoutRequest(c, "redirect"));
}

/** POST /saml/slo: cross-site, so without the session cookie; checked here, then continued by a top-level GET that carries it. */
async function sloPost(c: Context<PagesEnv>): Promise<Response> {
  const pending = await acceptLogoutRequest(c, "post");
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt(c.env, c.var.config, "ES256", { slo: pending, iss: c.var.config.issuer, aud: c.var.config.issuer, iat: now, exp: now + 300 }, { typ: TYP });
  return c.redirect(`/saml/slo/continue?pending=${encodeURIComponent(token)}`, 303);
}

async function sloContinue(c: Context<PagesEnv>): Promise<Response> {
  const config = c.var.config;
  const verified = await verifyJwt(c.env, config, queryParams(c).get("pending") ?? "", { typ: TYP, audience: config.issuer });
  const pending = verified.ok ? (verified.payload as { slo?: PendingLogout }).slo : undefined;
  if (!pending) throw new OAuthError("invalid_request", 400, "this sign-out link has expired; sign out again from the application");
  return logOut(c, pending);
}

export const samlSlo = new Hono<PagesEnv>().get("/saml/slo", sloRedirect).post("/saml/slo", sloPost).get("/saml/slo/continue", sloContinue);
