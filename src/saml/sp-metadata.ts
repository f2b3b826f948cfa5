import type { Element } from "./vendor/xmldom.js";
import { child, children, NS, parseXml, rootOf, SamlInputError, textOf } from "./xml";

export const BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
export const BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";

export const NAME_ID_FORMATS = {
  email: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
} as const;
export type NameIdFormat = keyof typeof NAME_ID_FORMATS;

/** What an SP's metadata says about it (SAML V2.0 Metadata §2.4.4), as we keep it. */
export interface SpMetadata {
  entityId: string;
  /** HTTP-POST AssertionConsumerService endpoints; the default (or first) first. */
  acs: { url: string; index: number | null }[];
  /** SingleLogoutService endpoints we can send to and answer (Redirect or POST). */
  slo: { url: string; binding: string } | null;
  /** Base64 DER of its signing certificates (KeyDescriptor use="signing" or no use). */
  signingCerts: string[];
  /** Base64 DER of the certificate to encrypt assertions to (use="encryption", else one without use); absent in rows registered before encryption existed. */
  encryptionCert?: string | null;
  authnRequestsSigned: boolean;
  wantAssertionsSigned: boolean;
  /** The first NameIDFormat it lists that we support, if any. */
  nameIdFormat: NameIdFormat | null;
}

const MAX_ENTITY_ID = 1024;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An endpoint we post to or redirect a browser to: absolute https (http only on a loopback host, for development), no fragment, no credentials. */
function endpointProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URI";
  }
  if (raw.length > 2000) return "must be at most 2000 characters";
  if (url.hash || raw.includes("#")) return "must not contain a fragment";
  if (url.username || url.password) return "must not contain credentials";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") return LOOPBACK_HOSTS.has(url.hostname) ? null : "http is allowed only for loopback hosts; use https";
  return "must use https";
}

function endpointUrl(el: Element, what: string): string {
  const url = el.getAttribute("Location") ?? "";
  const problem = endpointProblem(url);
  if (problem) throw new SamlInputError(`${what} Location ${problem}`);
  return url;
}

function certificatesOf(sp: Element, wanted: "signing" | "encryption"): string[] {
  const certs: string[] = [];
  for (const kd of children(sp, NS.metadata, "KeyDescriptor")) {
    const use = kd.getAttribute("use");
    if (use && use !== wanted) continue;
    const data = child(child(kd, NS.dsig, "KeyInfo") ?? kd, NS.dsig, "X509Data");
    const cert = (textOf(data && child(data, NS.dsig, "X509Certificate")) ?? "").replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cert)) throw new SamlInputError("a signing KeyDescriptor without an X509Certificate");
    certs.push(cert);
  }
  return certs;
}

function formatOf(sp: Element): NameIdFormat | null {
  for (const el of children(sp, NS.metadata, "NameIDFormat")) {
    const uri = textOf(el);
    const found = (Object.keys(NAME_ID_FORMATS) as NameIdFormat[]).find((k) => NAME_ID_FORMATS[k] === uri);
    if (found) return found;
  }
  return null;
}

/** Reads an SP's EntityDescriptor; anything we could not honour is refused with the reason. */
export function parseSpMetadata(xml: string): SpMetadata {
  const entity = rootOf(parseXml(xml), NS.metadata, "EntityDescriptor");
  const entityId = entity.getAttribute("entityID") ?? "";
  if (entityId.length === 0 || entityId.length > MAX_ENTITY_ID || /\s/.test(entityId)) throw new SamlInputError("entityID must be 1-1024 characters without spaces");
  const sps = children(entity, NS.metadata, "SPSSODescriptor");
  if (sps.length !== 1) throw new SamlInputError("the metadata must have exactly one SPSSODescriptor");
  const sp = sps[0]!;
  if (!(sp.getAttribute("protocolSupportEnumeration") ?? "").split(/\s+/).includes(PROTOCOL)) throw new SamlInputError("the SPSSODescriptor does not support SAML 2.0");
  const acs = children(sp, NS.metadata, "AssertionConsumerService")
    .filter((el) => el.getAttribute("Binding") === BINDING_POST)
    .map((el) => ({ url: endpointUrl(el, "AssertionConsumerService"), index: el.hasAttribute("index") ? Number(el.getAttribute("index")) : null, isDefault: el.getAttribute("isDefault") === "true" }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault))
    .map(({ url, index }) => ({ url, index: Number.isInteger(index) ? index : null }));
  if (acs.length === 0) throw new SamlInputError("no AssertionConsumerService with the HTTP-POST binding (the only one we answer with)");
  const sloEl = children(sp, NS.metadata, "SingleLogoutService").find((el) => [BINDING_REDIRECT, BINDING_POST].includes(el.getAttribute("Binding") ?? ""));
  const signingCerts = certificatesOf(sp, "signing");
  const authnRequestsSigned = sp.getAttribute("AuthnRequestsSigned") === "true";
  if (authnRequestsSigned && signingCerts.length === 0) throw new SamlInputError("AuthnRequestsSigned needs a signing certificate");
  return {
    entityId,
    acs,
    slo: sloEl ? { url: endpointUrl(sloEl, "SingleLogoutService"), binding: sloEl.getAttribute("Binding")! } : null,
    signingCerts,
    encryptionCert: certificatesOf(sp, "encryption")[0] ?? null,
    authnRequestsSigned,
    wantAssertionsSigned: sp.getAttribute("WantAssertionsSigned") === "true",
    nameIdFormat: formatOf(sp),
  };
}
