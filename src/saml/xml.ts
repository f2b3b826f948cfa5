import { DOMParser, type Document, type Element } from "./vendor/xmldom.js";

/** Far above any AuthnRequest, LogoutRequest or SP metadata document; longer input is refused unparsed. */
export const MAX_XML_LENGTH = 256 * 1024;

export const NS = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

/** Input we refuse to read, with a message fit for the person or operator who sent it. */
export class SamlInputError extends Error {}

/**
 * Parses untrusted XML. A DOCTYPE anywhere is refused before parsing: SAML never needs
 * one, and refusing it rules out entity expansion and external entities (XXE) whatever
 * the parser would do with them. Parser warnings and errors are refusals too, so a
 * half-parsed document is never read.
 */
export function parseXml(xml: string): Document {
  if (typeof xml !== "string" || xml.length === 0) throw new SamlInputError("the XML is empty");
  if (xml.length > MAX_XML_LENGTH) throw new SamlInputError("the XML is too large");
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlInputError("XML with a DOCTYPE or entity declaration is refused");
  const fail = (message: string) => {
    throw new SamlInputError(`malformed XML: ${message.split("\n")[0]}`);
  };
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(xml, "text/xml");
  } catch (error) {
    if (error instanceof SamlInputError) throw error;
    throw new SamlInputError(`malformed XML: ${String(error).split("\n")[0]}`);
  }
  if (!doc?.documentElement) throw new SamlInputError("malformed XML: no root element");
  return doc;
}

/** The root element, which must be `localName` in namespace `ns`. */
export function rootOf(doc: Document, ns: string, localName: string): Element {
  const root = doc.documentElement!;
  if (root.namespaceURI !== ns || root.localName !== localName) throw new SamlInputError(`expected a ${localName} element`);
  return root;
}

/** Direct children named `localName` in `ns` (never descendants, so nothing nested elsewhere is read). */
export function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const el = node as Element;
    if (node.nodeType === 1 && el.namespaceURI === ns && el.localName === localName) out.push(el);
  }
  return out;
}

export function child(parent: Element, ns: string, localName: string): Element | null {
  return children(parent, ns, localName)[0] ?? null;
}

/**
 * The element's text from its text and CDATA nodes only: a comment inside a value
 * (`user@example.com<!---->.evil.com`) does not split or shorten what is read.
 */
export function textOf(el: Element | null): string | null {
  if (!el) return null;
  let text = "";
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 3 || node.nodeType === 4) text += node.nodeValue ?? "";
    else if (node.nodeType === 1) throw new SamlInputError(`unexpected element inside ${el.localName}`);
  }
  return text.trim();
}

/** Escapes text and attribute values for the XML we write. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[ch]!);
}

export function toPem(base64Der: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Der.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
}
