// @xmldom/xmldom's type declarations pull in the DOM lib (/// <reference lib="dom" />), whose
// BufferSource typing clashes with the Workers types; xmldom.d.ts beside this file declares
// the part of its API the SAML code uses.
export { DOMParser, XMLSerializer } from "@xmldom/xmldom";
