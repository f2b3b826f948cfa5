import { BerError, bool, children, concat, int, octets, readInt, readString, seq, TAG, tlv, type Element } from "./ber";
import { encodeFilter } from "./filter";

/** The LDAPv3 protocol operations we send and read (RFC 4511 §4), as BER. */

export const OP = {
  bindRequest: 0x60,
  bindResponse: 0x61,
  unbindRequest: 0x42,
  searchRequest: 0x63,
  searchEntry: 0x64,
  searchDone: 0x65,
  searchReference: 0x73,
  extendedRequest: 0x77,
  extendedResponse: 0x78,
} as const;

/** RFC 4511 §4.14.1: the StartTLS extended operation. */
export const START_TLS_OID = "1.3.6.1.4.1.1466.20037";
/** RFC 2696: simple paged results (OpenLDAP and Active Directory both answer it). */
export const PAGED_RESULTS_OID = "1.2.840.113556.1.4.319";

export const RESULT = { success: 0, sizeLimitExceeded: 4, noSuchObject: 32, invalidCredentials: 49 } as const;

export interface LdapResult {
  code: number;
  diagnostic: string;
}

export interface SearchEntry {
  dn: string;
  /** Attribute names lower-cased (LDAP names are case-insensitive). */
  attributes: Record<string, string[]>;
}

export interface Control {
  oid: string;
  value: Uint8Array | null;
}

export interface Message {
  id: number;
  op: Element;
  controls: Control[];
}

function envelope(id: number, op: Uint8Array, controls: Control[] = []): Uint8Array {
  const encoded = controls.map((c) => seq(TAG.sequence, octets(c.oid), bool(false), ...(c.value ? [octets(c.value)] : [])));
  return seq(TAG.sequence, int(id), op, ...(encoded.length ? [seq(0xa0, ...encoded)] : []));
}

/** RFC 4511 §4.2: a simple bind (version 3, the DN, the password as [0]). */
export function bindRequest(id: number, dn: string, password: string): Uint8Array {
  return envelope(id, seq(OP.bindRequest, int(3), octets(dn), octets(password, 0x80)));
}

export function unbindRequest(id: number): Uint8Array {
  return envelope(id, tlv(OP.unbindRequest, new Uint8Array(0)));
}

export function startTlsRequest(id: number): Uint8Array {
  return envelope(id, seq(OP.extendedRequest, octets(START_TLS_OID, 0x80)));
}

export interface SearchOptions {
  base: string;
  /** 0 base object, 1 one level, 2 whole subtree. */
  scope: 0 | 1 | 2;
  filter: string;
  attributes: string[];
  sizeLimit?: number;
  /** RFC 2696 page: its size and the cookie of the page before (empty for the first). */
  page?: { size: number; cookie: Uint8Array };
}

/** RFC 4511 §4.5.1: never dereference aliases, no server time limit (the client's own timeout rules). */
export function searchRequest(id: number, options: SearchOptions): Uint8Array {
  const op = seq(
    OP.searchRequest,
    octets(options.base),
    int(options.scope, TAG.enumerated),
    int(0, TAG.enumerated),
    int(options.sizeLimit ?? 0),
    int(0),
    bool(false),
    encodeFilter(options.filter),
    seq(TAG.sequence, ...options.attributes.map((a) => octets(a))),
  );
  const controls = options.page ? [{ oid: PAGED_RESULTS_OID, value: seq(TAG.sequence, int(options.page.size), octets(options.page.cookie)) }] : [];
  return envelope(id, op, controls);
}

export function parseMessage(bytes: Uint8Array): Message {
  const [outer] = children(bytes);
  if (!outer || outer.tag !== TAG.sequence) throw new BerError("not an LDAPMessage");
  const [id, op, controls] = children(outer.content);
  if (!op) throw new BerError("LDAPMessage without an operation");
  return { id: readInt(id), op, controls: controls?.tag === 0xa0 ? parseControls(controls) : [] };
}

function parseControls(element: Element): Control[] {
  return children(element.content).map((control) => {
    const parts = children(control.content);
    const value = parts.find((p, i) => i > 0 && p.tag === TAG.octetString);
    return { oid: readString(parts[0]), value: value?.content ?? null };
  });
}

/** LDAPResult (RFC 4511 §4.1.9) at the start of a response's content. */
export function parseResult(op: Element): LdapResult {
  const [code, , diagnostic] = children(op.content);
  return { code: readInt(code), diagnostic: diagnostic ? readString(diagnostic) : "" };
}

export function parseEntry(op: Element): SearchEntry {
  const [name, list] = children(op.content);
  const attributes: Record<string, string[]> = {};
  for (const attribute of list ? children(list.content) : []) {
    const [type, values] = children(attribute.content);
    attributes[readString(type).toLowerCase()] = values ? children(values.content).map(readString) : [];
  }
  return { dn: readString(name), attributes };
}

/** The cookie of the next page (empty: this was the last), from the paged-results control of a SearchResultDone. */
export function nextPageCookie(controls: Control[]): Uint8Array {
  const paged = controls.find((c) => c.oid === PAGED_RESULTS_OID);
  if (!paged?.value) return new Uint8Array(0);
  const [inner] = children(paged.value);
  const [, cookie] = inner ? children(inner.content) : [];
  return cookie?.content ?? new Uint8Array(0);
}

export { concat };
