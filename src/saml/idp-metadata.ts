import { BINDING_POST, BINDING_REDIRECT, NAME_ID_FORMATS } from "./sp-metadata";
import { escapeXml as x } from "./xml";

/** The provider's SAML endpoints, all under its issuer. */
export function samlUrls(issuer: string) {
  return { entityId: issuer, metadata: `${issuer}/saml/metadata`, sso: `${issuer}/saml/sso`, slo: `${issuer}/saml/slo` };
}

/**
 * IdP metadata (SAML V2.0 Metadata §2.4.3): one signing KeyDescriptor per published RS256
 * key — the next key before it signs, so SPs that refresh metadata trust it in time — the
 * SSO and SLO endpoints over HTTP-Redirect and HTTP-POST, and the NameID formats.
 */
export function idpMetadataXml(issuer: string, certificates: readonly string[]): string {
  const urls = samlUrls(issuer);
  const keys = certificates
    .map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join("");
  const endpoints = (element: string, url: string) =>
    [BINDING_REDIRECT, BINDING_POST].map((b) => `<md:${element} Binding="${b}" Location="${x(url)}"/>`).join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${x(urls.entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keys +
    endpoints("SingleLogoutService", urls.slo) +
    Object.values(NAME_ID_FORMATS).map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`).join("") +
    endpoints("SingleSignOnService", urls.sso) +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}
