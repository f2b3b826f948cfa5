import type { SamlSpRow } from "./service-provider";
import { BINDING_POST, NAME_ID_FORMATS, type NameIdFormat } from "./sp-metadata";
import { verifyEnvelopedSignature } from "./signer";
import { child, children, NS, parseXml, rootOf, SamlInputError, textOf, toPem } from "./xml";
import { XMLSerializer } from "./vendor/xmldom.js";

/** How far an IssueInstant may lie in the past, or ahead of our clock (SAML Core §3.2.1 leaves it to us). */
export const ISSUE_INSTANT_PAST_MS = 5 * 60_000;
export const ISSUE_INSTANT_FUTURE_MS = 60_000;
const XS_ID = /^[A-Za-z_][\w.-]{0,255}$/;

/** An AuthnRequest (SAML Core §3.4.1) as read, before we know whether its SP is registered. */
export interface AuthnRequest {
  id: string;
  issuer: string;
  issueInstant: number;
  destination: string | null;
  acsUrl: string | null;
  acsIndex: number | null;
  protocolBinding: string | null;
  nameIdFormat: string | null;
  forceAuthn: boolean;
  isPassive: boolean;
  /** The enveloped Signature element (HTTP-POST binding), serialised; null when unsigned. */
  signature: string | null;
  xml: string;
}

function attr(el: { getAttribute(n: string): string | null }, name: string): string | null {
  const v = el.getAttribute(name);
  return v === null || v === "" ? null : v;
}

export function readAuthnRequest(xml: string): AuthnRequest {
  const root = rootOf(parseXml(xml), NS.protocol, "AuthnRequest");
  const id = attr(root, "ID");
  if (!id || !XS_ID.test(id)) throw new SamlInputError("the AuthnRequest has no valid ID");
  if (root.getAttribute("Version") !== "2.0") throw new SamlInputError("only SAML 2.0 requests are accepted (Version)");
  const issueInstant = Date.parse(root.getAttribute("IssueInstant") ?? "");
  if (!Number.isFinite(issueInstant)) throw new SamlInputError("the AuthnRequest has no valid IssueInstant");
  const issuers = children(root, NS.assertion, "Issuer");
  const issuer = issuers.length === 1 ? textOf(issuers[0]!) : null;
  if (!issuer) throw new SamlInputError("the AuthnRequest must name its SP in one Issuer element");
  const signatures = children(root, NS.dsig, "Signature");
  if (signatures.length > 1) throw new SamlInputError("more than one Signature");
  const index = attr(root, "AssertionConsumerServiceIndex");
  const policy = child(root, NS.protocol, "NameIDPolicy");
  return {
    id,
    issuer,
    issueInstant,
    destination: attr(root, "Destination"),
    acsUrl: attr(root, "AssertionConsumerServiceURL"),
    acsIndex: index === null ? null : Number(index),
    protocolBinding: attr(root, "ProtocolBinding"),
    nameIdFormat: policy ? attr(policy, "Format") : null,
    forceAuthn: root.getAttribute("ForceAuthn") === "true",
    isPassive: root.getAttribute("IsPassive") === "true",
    signature: signatures[0] ? new XMLSerializer().serializeToString(signatures[0]) : null,
    xml,
  };
}

/** Where the response goes: a registered HTTP-POST ACS the request names, or the SP's default (SAML Core §3.4.1). */
export function chooseAcs(req: Pick<AuthnRequest, "acsUrl" | "acsIndex" | "protocolBinding">, sp: SamlSpRow): string {
  if (req.protocolBinding && req.protocolBinding !== BINDING_POST) throw new SamlInputError("only the HTTP-POST binding is supported for the response (ProtocolBinding)");
  const acs = sp.metadata.acs;
  if (req.acsUrl !== null) {
    // Exact string match against the registered metadata: never a response to a URL the operator did not register.
    if (!acs.some((a) => a.url === req.acsUrl)) throw new SamlInputError("AssertionConsumerServiceURL is not one the service provider registered");
    return req.acsUrl;
  }
  if (req.acsIndex !== null) {
    const found = acs.find((a) => a.index === req.acsIndex);
    if (!found) throw new SamlInputError("AssertionConsumerServiceIndex is not one the service provider registered");
    return found.url;
  }
  return acs[0]!.url;
}

/** The NameID format to answer with: the request's NameIDPolicy if we support it, else the SP's registered one. */
export function chooseNameIdFormat(req: Pick<AuthnRequest, "nameIdFormat">, sp: SamlSpRow): NameIdFormat {
  if (req.nameIdFormat === null || req.nameIdFormat === NAME_ID_FORMATS.unspecified) return sp.nameIdFormat;
  const found = (Object.keys(NAME_ID_FORMATS) as NameIdFormat[]).find((k) => NAME_ID_FORMATS[k] === req.nameIdFormat);
  if (!found) throw new SamlInputError("the NameIDPolicy Format is not supported (emailAddress, persistent, unspecified)");
  return found;
}

/**
 * The checks that need the SP: its signature (required when it registered AuthnRequestsSigned,
 * checked whenever present), Destination (our SSO URL; required on a signed request, SAML
 * Bindings §3.4.5.2, §3.5.5.2) and the IssueInstant window.
 */
export function checkAuthnRequest(req: AuthnRequest, sp: SamlSpRow, ssoUrl: string, redirectSigned: boolean, now: number): void {
  const signed = redirectSigned || req.signature !== null;
  if (sp.metadata.authnRequestsSigned && !signed) throw new SamlInputError("this service provider's AuthnRequests must be signed");
  if (req.signature !== null) {
    if (sp.metadata.signingCerts.length === 0) throw new SamlInputError("the request is signed but the service provider registered no signing certificate");
    const errors = sp.metadata.signingCerts.map((cert) => {
      try {
        verifyEnvelopedSignature(req.xml, req.signature!, req.id, toPem(cert));
        return null;
      } catch (error) {
        return error;
      }
    });
    if (!errors.includes(null)) throw errors[0];
  }
  if (req.destination !== null ? req.destination !== ssoUrl : signed) throw new SamlInputError("Destination must be this provider's SSO URL");
  if (req.issueInstant < now - ISSUE_INSTANT_PAST_MS || req.issueInstant > now + ISSUE_INSTANT_FUTURE_MS) {
    throw new SamlInputError("the AuthnRequest's IssueInstant is too old or in the future");
  }
}
