/** node:crypto createVerify with a PEM certificate as the key (see node-crypto.js). */
export declare function verifyWithCertificate(alg: "RSA-SHA256" | "RSA-SHA512", data: string, certPem: string, signatureBase64: string): boolean;
/** node:crypto createSign with a PKCS#8 PEM key: the HTTP-Redirect binding's query signature. */
export declare function signWithKey(alg: "RSA-SHA256", data: string, privateKeyPem: string): string;
/** The SubjectPublicKeyInfo (DER) of a PEM certificate, for WebCrypto. */
export declare function spkiOfCertificate(certPem: string): Uint8Array<ArrayBuffer>;
