/** The part of xml-crypto's SignedXml (v6) the SAML code uses; see xml-crypto.js for why not its own types. */
export declare class SignedXml {
  constructor(options?: {
    privateKey?: string;
    publicCert?: string;
    signatureAlgorithm?: string;
    canonicalizationAlgorithm?: string;
    getCertFromKeyInfo?: (keyInfo?: unknown) => string | null;
  });
  signatureAlgorithm?: string;
  addReference(ref: { xpath: string; transforms: string[]; digestAlgorithm: string }): void;
  computeSignature(xml: string, options: { prefix?: string; location?: { reference: string; action: "append" | "prepend" | "before" | "after" } }): void;
  getSignedXml(): string;
  loadSignature(signature: string): void;
  checkSignature(xml: string): boolean;
  getReferences(): { uri?: string }[];
  getSignedReferences(): string[];
}
