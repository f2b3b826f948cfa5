/** The part of @xmldom/xmldom (0.8) the SAML code uses; see xmldom.js for why not its own types. */
export interface XmlNode {
  readonly nodeType: number;
  readonly nodeValue: string | null;
  readonly firstChild: XmlNode | null;
  readonly nextSibling: XmlNode | null;
  readonly parentNode: XmlNode | null;
  readonly namespaceURI: string | null;
  readonly localName: string | null;
}

export interface Element extends XmlNode {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagNameNS(ns: string, localName: string): { readonly length: number; item(i: number): Element | null };
}

export interface Document extends XmlNode {
  readonly documentElement: Element | null;
}

export declare class DOMParser {
  constructor(options?: { errorHandler?: { warning?: (message: string) => void; error?: (message: string) => void; fatalError?: (message: string) => void } });
  parseFromString(xml: string, mimeType: string): Document;
}

export declare class XMLSerializer {
  serializeToString(node: XmlNode): string;
}
