import { base64 } from "./certificate";
import { spkiOfCertificate } from "./vendor/node-crypto.js";
import { toPem } from "./xml";

const AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const RSA_OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";

/**
 * EncryptedAssertion (SAML Core §2.3.4) to the SP's encryption certificate, with XML
 * Encryption 1.1: the (already signed) assertion is AES-256-GCM encrypted under a fresh
 * key (§5.2.4: IV ‖ ciphertext ‖ tag), and that key is RSA-OAEP (MGF1, SHA-1 — rsa-oaep-mgf1p,
 * the one every SAML SP library decrypts) encrypted to the SP. WebCrypto does both.
 */
export async function encryptAssertion(signedAssertion: string, encryptionCert: string): Promise<string> {
  const spKey = await crypto.subtle.importKey("spki", spkiOfCertificate(toPem(encryptionCert)), { name: "RSA-OAEP", hash: "SHA-1" }, false, ["encrypt"]);
  const aesKey = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"])) as CryptoKey;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aesKey, new TextEncoder().encode(signedAssertion)));
  const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, spKey, (await crypto.subtle.exportKey("raw", aesKey)) as ArrayBuffer));
  const cipher = new Uint8Array(iv.length + sealed.length);
  cipher.set(iv);
  cipher.set(sealed, iv.length);
  return (
    `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
    `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
    `<xenc:EncryptionMethod Algorithm="${AES256_GCM}"/>` +
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="${RSA_OAEP}"><ds:DigestMethod Algorithm="${SHA1}"/></xenc:EncryptionMethod>` +
    `<xenc:CipherData><xenc:CipherValue>${base64(wrapped)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
    `<xenc:CipherData><xenc:CipherValue>${base64(cipher)}</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>`
  );
}
