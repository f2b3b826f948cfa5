import type { Context } from "hono";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { base64 } from "../../saml/certificate";
import { samlUrls } from "../../saml/idp-metadata";
import { authnContextClassRef, mappedAttributes, nameIdValue, samlAttributes } from "../../saml/profile";
import { assertionXml, newSamlId, responseXml } from "../../saml/response";
import { signElement } from "../../saml/signer";
import { encryptAssertion } from "../../saml/encryption";
import { SamlInputError } from "../../saml/xml";
import type { SessionRef } from "../authorize/session-cookie";
import { samlAccessAttributes } from "../access/claims";
import { OAuthError } from "../errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { contentSecurityPolicy, pageSecurity } from "../views/layout";
import { FormPostPage } from "../views/pages";
import type { SamlSpRow } from "../d1/saml-service-providers";
import { samlSigning } from "./keys";
import type { PendingSso } from "./pending";

/** The HTTP-POST binding (SAML Bindings §3.5): an auto-submitting form to the ACS, with a button without JavaScript. */
export function postToSp(c: Context, url: string, field: "SAMLResponse" | "SAMLRequest", xml: string, relayState: string | null): Response | Promise<Response> {
  const security = pageSecurity([new URL(url).origin]);
  c.header("Content-Security-Policy", contentSecurityPolicy(security));
  const fields: Record<string, string> = { [field]: base64(new TextEncoder().encode(xml)) };
  if (relayState !== null) fields.RelayState = relayState;
  return c.html(<FormPostPage security={security} action={url} fields={fields} />);
}

/**
 * The signed Response with the session user's assertion (SAML Profiles §4.1.4.2), posted
 * to the ACS; null when the session is no longer live (the caller asks for a sign-in).
 * The assertion, the Response or both are signed as the SP registered; signing the
 * assertion first and then the Response keeps both signatures valid.
 */
export async function respondWithAssertion(c: Context, env: Env, config: Config, sp: SamlSpRow, pending: PendingSso, session: SessionRef): Promise<Response | null> {
  const subject = await callShard(env, config, session.bucket, (shard) => shard.samlSubject({ bucket: session.bucket, sessionHash: session.hash, entityId: sp.entityId, nameIdFormat: pending.format }));
  if (!subject.ok && subject.error === "login_required") return null;
  if (!subject.ok) throw shardFailure(subject, "sign-in", "the sign-in");
  let nameId: string;
  try {
    nameId = await nameIdValue(pending.format, subject.user, sp.entityId, config.pairwiseSalt);
  } catch (error) {
    if (error instanceof SamlInputError) throw new OAuthError("invalid_request", 400, error.message);
    throw error;
  }
  const access = await samlAccessAttributes(env, config, sp.entityId, subject.user);
  const keys = await samlSigning(env, config);
  const now = Date.now();
  const issuer = samlUrls(config.issuer).entityId;
  const assertionId = newSamlId();
  let assertion = assertionXml({
    id: assertionId,
    issuer,
    audience: sp.entityId,
    recipient: pending.acs,
    inResponseTo: pending.requestId,
    nameId: { format: pending.format, value: nameId },
    sessionIndex: subject.sid,
    authnInstant: subject.authTime,
    authnContextClassRef: authnContextClassRef(subject),
    attributes: mappedAttributes(samlAttributes(subject.user, access), sp.attributeMap),
    now,
  });
  if (sp.signAssertion) assertion = signElement(assertion, assertionId, "Assertion", keys.privateKeyPem, keys.certPem);
  // Encrypted after signing, so the SP decrypts and then checks the signature over what it reads (SAML Core §6.2).
  if (sp.encryptAssertion && sp.metadata.encryptionCert) assertion = await encryptAssertion(assertion, sp.metadata.encryptionCert);
  const responseId = newSamlId();
  let response = responseXml({ id: responseId, issuer, destination: pending.acs, inResponseTo: pending.requestId, now }, { assertion });
  if (sp.signResponse) response = signElement(response, responseId, "Response", keys.privateKeyPem, keys.certPem);
  return postToSp(c, pending.acs, "SAMLResponse", response, pending.relayState);
}

/** A Response without an assertion (SAML Core §3.2.2.2), e.g. NoPassive: signed, so the SP can trust the status. */
export async function respondWithStatus(c: Context, env: Env, config: Config, pending: PendingSso, status: { status: string; subStatus?: string; message: string }): Promise<Response> {
  const keys = await samlSigning(env, config);
  const id = newSamlId();
  const xml = responseXml({ id, issuer: samlUrls(config.issuer).entityId, destination: pending.acs, inResponseTo: pending.requestId, now: Date.now() }, status);
  return postToSp(c, pending.acs, "SAMLResponse", signElement(xml, id, "Response", keys.privateKeyPem, keys.certPem), pending.relayState);
}
