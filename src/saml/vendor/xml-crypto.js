// xml-crypto's own type declarations pull in @types/node, whose Uint8Array typing clashes
// with the Workers types every other file is checked against; xml-crypto.d.ts beside this
// file declares the part of its API the SAML code uses.
export { SignedXml } from "xml-crypto";
