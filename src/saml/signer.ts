import { SignedXml } from "./vendor/xml-crypto.js";
import { SamlInputError } from "./xml";

const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/**
 * Signs the element with `ID="id"` (an Assertion or a Response) in `xml`: an enveloped
 * XML-DSig signature with exclusive canonicalisation, RSA-SHA256 and a SHA-256 digest,
 * placed right after the element's Issuer as the SAML schema requires
 * (SAML Core §5.4.1–§5.4.2), with the certificate in KeyInfo.
 */
export function signElement(xml: string, id: string, localName: "Assertion" | "Response" | "AuthnRequest" | "LogoutRequest" | "LogoutResponse", privateKeyPem: string, certPem: string): string {
  const sig = new SignedXml({ privateKey: privateKeyPem, publicCert: certPem, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
  const target = `//*[local-name(.)='${localName}' and @ID='${id}']`;
  sig.addReference({ xpath: target, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  sig.computeSignature(xml, { prefix: "ds", location: { reference: `${target}/*[local-name(.)='Issuer']`, action: "after" } });
  return sig.getSignedXml();
}

/**
 * Checks the one Signature that is a direct child of the element we are about to read,
 * with the SP's registered certificate only (a certificate inside the message is never
 * trusted), and that its one Reference points at that element's own ID — so a signed
 * element moved elsewhere in the document (signature wrapping) cannot vouch for the
 * element we consume. Returns the canonical bytes xml-crypto verified, which the
 * caller compares with what it read.
 */
export function verifyEnvelopedSignature(xml: string, signature: string, elementId: string, certPem: string): void {
  const sig = new SignedXml({ publicCert: certPem, getCertFromKeyInfo: () => null });
  sig.loadSignature(signature);
  let valid = false;
  try {
    valid = sig.checkSignature(xml);
  } catch {
    valid = false;
  }
  if (!valid) throw new SamlInputError("the signature does not verify");
  const refs = sig.getReferences();
  if (refs.length !== 1 || refs[0]!.uri !== `#${elementId}`) throw new SamlInputError("the signature does not cover the signed message");
  if (sig.signatureAlgorithm !== RSA_SHA256 && sig.signatureAlgorithm !== "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512") {
    throw new SamlInputError("signature algorithm not allowed (RSA-SHA256 or RSA-SHA512)");
  }
}
