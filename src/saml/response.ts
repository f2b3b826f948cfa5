import { NAME_ID_FORMATS, type NameIdFormat } from "./sp-metadata";
import { escapeXml as x } from "./xml";

/** How long an assertion may be presented (SubjectConfirmationData NotOnOrAfter, Conditions). */
export const ASSERTION_TTL_MS = 5 * 60_000;
/** Conditions NotBefore lies this far back, for SPs whose clocks run behind ours. */
const SKEW_MS = 60_000;

const STATUS = "urn:oasis:names:tc:SAML:2.0:status:";

export interface AssertionContent {
  id: string;
  issuer: string;
  audience: string;
  recipient: string;
  inResponseTo: string | null;
  nameId: { format: NameIdFormat; value: string };
  sessionIndex: string;
  authnInstant: number;
  authnContextClassRef: string;
  attributes: Record<string, readonly string[]>;
  now: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const inResponse = (id: string | null) => (id === null ? "" : ` InResponseTo="${x(id)}"`);

/** A bearer assertion for Web Browser SSO (SAML Profiles §4.1.4.2), unsigned. */
export function assertionXml(a: AssertionContent): string {
  const expires = iso(a.now + ASSERTION_TTL_MS);
  const attributes = Object.entries(a.attributes)
    .map(([name, values]) =>
      `<saml:Attribute Name="${x(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
      values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${x(v)}</saml:AttributeValue>`).join("") +
      `</saml:Attribute>`,
    )
    .join("");
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${a.id}" Version="2.0" IssueInstant="${iso(a.now)}">` +
    `<saml:Issuer>${x(a.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${NAME_ID_FORMATS[a.nameId.format]}">${x(a.nameId.value)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${expires}" Recipient="${x(a.recipient)}"${inResponse(a.inResponseTo)}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(a.now - SKEW_MS)}" NotOnOrAfter="${expires}"><saml:AudienceRestriction><saml:Audience>${x(a.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(a.authnInstant)}" SessionIndex="${x(a.sessionIndex)}"><saml:AuthnContext><saml:AuthnContextClassRef>${x(a.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "") +
    `</saml:Assertion>`
  );
}

export interface ResponseEnvelope {
  id: string;
  issuer: string;
  destination: string;
  inResponseTo: string | null;
  now: number;
}

/** A Response (SAML Core §3.2.2) around `assertion`, or with only an error status when there is none. */
export function responseXml(r: ResponseEnvelope, body: { assertion: string } | { status: string; subStatus?: string; message: string }): string {
  const status =
    "assertion" in body
      ? `<samlp:Status><samlp:StatusCode Value="${STATUS}Success"/></samlp:Status>`
      : `<samlp:Status><samlp:StatusCode Value="${STATUS}${body.status}">` +
        (body.subStatus ? `<samlp:StatusCode Value="${STATUS}${body.subStatus}"/>` : "") +
        `</samlp:StatusCode><samlp:StatusMessage>${x(body.message)}</samlp:StatusMessage></samlp:Status>`;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.id}" Version="2.0" IssueInstant="${iso(r.now)}" Destination="${x(r.destination)}"${inResponse(r.inResponseTo)}>` +
    `<saml:Issuer>${x(r.issuer)}</saml:Issuer>${status}${"assertion" in body ? body.assertion : ""}</samlp:Response>`
  );
}

/** A LogoutResponse (SAML Core §3.7.2). */
export function logoutResponseXml(r: ResponseEnvelope, success: boolean): string {
  return (
    `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.id}" Version="2.0" IssueInstant="${iso(r.now)}" Destination="${x(r.destination)}"${inResponse(r.inResponseTo)}>` +
    `<saml:Issuer>${x(r.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${STATUS}${success ? "Success" : "Responder"}"/></samlp:Status></samlp:LogoutResponse>`
  );
}

/**
 * An IdP-initiated LogoutRequest (SAML Core §3.7.1, Profiles §4.4.4.1): the NameID the SP's
 * assertion carried, in the same format, and its SessionIndex; unsigned (the HTTP-Redirect
 * binding signs the query string).
 */
export function logoutRequestXml(r: { id: string; issuer: string; destination: string; nameId: { format: NameIdFormat; value: string }; sessionIndex: string | null; now: number }): string {
  return (
    `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${r.id}" Version="2.0" IssueInstant="${iso(r.now)}" Destination="${x(r.destination)}">` +
    `<saml:Issuer>${x(r.issuer)}</saml:Issuer><saml:NameID Format="${NAME_ID_FORMATS[r.nameId.format]}">${x(r.nameId.value)}</saml:NameID>` +
    (r.sessionIndex === null ? "" : `<samlp:SessionIndex>${x(r.sessionIndex)}</samlp:SessionIndex>`) +
    `</samlp:LogoutRequest>`
  );
}

/** A fresh xs:ID (must not start with a digit): "_" and 160 random bits in hex. */
export function newSamlId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
