import { exportPKCS8 } from "jose";
import { expect } from "vitest";
import { base64, selfSignedCertificate } from "../../src/saml/certificate";
import { deflateRaw } from "../../src/saml/bindings";
import { signElement } from "../../src/saml/signer";
import { SignedXml } from "../../src/saml/vendor/xml-crypto.js";
import { DOMParser, XMLSerializer, type Element } from "../../src/saml/vendor/xmldom.js";
import { toPem } from "../../src/saml/xml";
import { TestBrowser, hiddenField } from "../helpers/browser";
import { admin, call, ORIGIN } from "../helpers/http";

/** A test service provider: its own RSA key and certificate, as a real SP would have. */
export interface TestSp {
  entityId: string;
  acs: string;
  slo: string;
  keyPem: string;
  certPem: string;
  cert: string;
  key: CryptoKey;
}

export async function newSp(name = crypto.randomUUID().slice(0, 8)): Promise<TestSp> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const cert = base64(await selfSignedCertificate(pair.publicKey, pair.privateKey, `sp-${name}`, name));
  return { entityId: `https://sp-${name}.example.com/saml`, acs: `https://sp-${name}.example.com/acs`, slo: `https://sp-${name}.example.com/slo`, keyPem: await exportPKCS8(pair.privateKey), certPem: toPem(cert), cert, key: pair.privateKey };
}

export function spMetadata(sp: TestSp, options: { authnRequestsSigned?: boolean; nameIdFormat?: string; sloBinding?: string | null; acsBinding?: string; encryption?: boolean } = {}): string {
  const binding = (b: string) => `urn:oasis:names:tc:SAML:2.0:bindings:${b}`;
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${sp.entityId}">
  <md:SPSSODescriptor AuthnRequestsSigned="${options.authnRequestsSigned ?? false}" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sp.cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    ${options.encryption ? `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${sp.cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` : ""}
    ${options.sloBinding === null ? "" : `<md:SingleLogoutService Binding="${binding(options.sloBinding ?? "HTTP-Redirect")}" Location="${sp.slo}"/>`}
    <md:NameIDFormat>${options.nameIdFormat ?? "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}</md:NameIDFormat>
    <md:AssertionConsumerService Binding="${binding(options.acsBinding ?? "HTTP-POST")}" Location="${sp.acs}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
}

export async function registerSp(sp: TestSp, metadataOptions: Parameters<typeof spMetadata>[1] = {}, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await admin("PUT", "/saml/service-providers", { metadata_xml: spMetadata(sp, metadataOptions), display_name: "Test SP", ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
}

export const SSO_URL = `${ORIGIN}/saml/sso`;

export function authnRequest(sp: TestSp, overrides: { id?: string; issueInstant?: string; destination?: string | null; acs?: string; extra?: string; isPassive?: boolean; forceAuthn?: boolean; nameIdFormat?: string } = {}): { id: string; xml: string } {
  const id = overrides.id ?? `_req${crypto.randomUUID().replace(/-/g, "")}`;
  const destination = overrides.destination === null ? "" : ` Destination="${overrides.destination ?? SSO_URL}"`;
  const policy = overrides.nameIdFormat ? `<samlp:NameIDPolicy Format="${overrides.nameIdFormat}" AllowCreate="true"/>` : "";
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" ` +
    `IssueInstant="${overrides.issueInstant ?? new Date().toISOString()}"${destination} AssertionConsumerServiceURL="${overrides.acs ?? sp.acs}" ` +
    `ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"${overrides.isPassive ? ' IsPassive="true"' : ""}${overrides.forceAuthn ? ' ForceAuthn="true"' : ""}>` +
    `<saml:Issuer>${sp.entityId}</saml:Issuer>${policy}${overrides.extra ?? ""}</samlp:AuthnRequest>`;
  return { id, xml };
}

/** The HTTP-Redirect binding's URL (SAML Bindings §3.4.4.1), signed over the query string when `signWith` is given. */
export async function redirectUrl(path: string, param: "SAMLRequest", xml: string, relayState: string | null, signWith?: CryptoKey): Promise<string> {
  let query = `${param}=${encodeURIComponent(await deflateRaw(xml))}`;
  if (relayState !== null) query += `&RelayState=${encodeURIComponent(relayState)}`;
  if (signWith) {
    query += `&SigAlg=${encodeURIComponent("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")}`;
    const sig = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", signWith, new TextEncoder().encode(query)));
    query += `&Signature=${encodeURIComponent(base64(sig))}`;
  }
  return `${path}?${query}`;
}

/** An enveloped signature by the SP (HTTP-POST binding), placed after the Issuer. */
export function signedRequest(sp: TestSp, req: { id: string; xml: string }, localName: "AuthnRequest" | "LogoutRequest" = "AuthnRequest"): string {
  return signElement(req.xml, req.id, localName, sp.keyPem, sp.certPem);
}

export const b64 = (xml: string) => base64(new TextEncoder().encode(xml));

/** The IdP's certificates as its metadata publishes them. */
export async function idpCertificates(): Promise<string[]> {
  const xml = await (await call("/saml/metadata")).text();
  return [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => m[1]!);
}

/** The SAMLResponse (decoded XML) and RelayState an auto-submitting page posts, and where to. */
export async function postedResponse(res: Response): Promise<{ action: string; xml: string; relayState: string | null }> {
  expect(res.status).toBe(200);
  const html = await res.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`expected an auto-submitting form:\n${html.slice(0, 1500)}`);
  const encoded = hiddenField(html, "SAMLResponse");
  const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1] ?? null;
  return { action: action.replace(/&amp;/g, "&"), xml: new TextDecoder().decode(Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0))), relayState: relay };
}

/** Verifies the signature over the element with `ID=id` with xml-crypto and the IdP's published certificates. */
export async function verifiedBy(xml: string, localName: "Assertion" | "Response" | "LogoutResponse", trusted?: string[]): Promise<boolean> {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const certs = trusted ?? (await idpCertificates());
  const holder = localName !== "Assertion" ? doc.documentElement! : findChild(doc.documentElement!, "Assertion");
  const signature = holder && findChild(holder, "Signature");
  if (!signature) return false;
  const serialized = new XMLSerializer().serializeToString(signature);
  return certs.some((cert) => {
    const sig = new SignedXml({ publicCert: toPem(cert), getCertFromKeyInfo: () => null });
    sig.loadSignature(serialized);
    try {
      return sig.checkSignature(xml) && sig.getReferences()[0]?.uri === `#${holder.getAttribute("ID")}`;
    } catch {
      return false;
    }
  });
}

function findChild(el: { firstChild: unknown }, localName: string) {
  for (let n = el.firstChild as { localName: string | null; nextSibling: unknown; getAttribute?(n: string): string | null; firstChild: unknown } | null; n; n = n.nextSibling as typeof n) {
    if (n.localName === localName) return n as unknown as Element;
  }
  return null;
}

/** Signs in on the SAML sign-in page the SSO request led to; the response that follows. */
export async function signInOnPage(browser: TestBrowser, page: Response, user: { email: string; password: string }): Promise<Response> {
  const html = await page.text();
  expect(html).toContain('action="/saml/sign-in"');
  return browser.post("/saml/sign-in", { csrf: hiddenField(html, "csrf"), pending: hiddenField(html, "pending"), email: user.email, password: user.password });
}

export function textIn(xml: string, localName: string): string | null {
  return new RegExp(`<(?:\\w+:)?${localName}\\b[^>]*>([^<]*)</`).exec(xml)?.[1] ?? null;
}

export function logoutRequest(sp: TestSp, nameId: string, sessionIndex: string | null): { id: string; xml: string } {
  const id = `_lo${crypto.randomUUID().replace(/-/g, "")}`;
  const xml =
    `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}" Destination="${ORIGIN}/saml/slo"><saml:Issuer>${sp.entityId}</saml:Issuer>` +
    `<saml:NameID>${nameId}</saml:NameID>${sessionIndex ? `<samlp:SessionIndex>${sessionIndex}</samlp:SessionIndex>` : ""}</samlp:LogoutRequest>`;
  return { id, xml };
}

/** Decrypts an EncryptedAssertion with the SP's key (XML Encryption 1.1: RSA-OAEP key transport, AES-256-GCM). */
export async function decryptAssertion(xml: string, sp: TestSp): Promise<string> {
  const values = [...xml.matchAll(/<xenc:CipherValue>([^<]+)<\/xenc:CipherValue>/g)].map((m) => Uint8Array.from(atob(m[1]!), (ch) => ch.charCodeAt(0)));
  const [wrapped, sealed] = values as [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>];
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", sp.key)) as ArrayBuffer;
  const rsa = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
  const aes = await crypto.subtle.importKey("raw", await crypto.subtle.decrypt({ name: "RSA-OAEP" }, rsa, wrapped), "AES-GCM", false, ["decrypt"]);
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.slice(0, 12) }, aes, sealed.slice(12)));
}
