// node:crypto (workerd's nodejs_compat) for the one check WebCrypto cannot do directly: verifying
// with a key given as an X.509 certificate. The Workers types have no node: modules, hence this file.
import { X509Certificate, createSign, createVerify } from "node:crypto";

export function verifyWithCertificate(alg, data, certPem, signatureBase64) {
  return createVerify(alg).update(data).verify(certPem, signatureBase64, "base64");
}

export function signWithKey(alg, data, privateKeyPem) {
  return createSign(alg).update(data).sign(privateKeyPem, "base64");
}

export function spkiOfCertificate(certPem) {
  return new Uint8Array(new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" }));
}
