/**
 * The BER subset LDAPv3 (RFC 4511 §5.1) needs: definite lengths, tags of one byte,
 * INTEGER/ENUMERATED, OCTET STRING, BOOLEAN, SEQUENCE/SET and context tags. Written
 * here (not taken from a library) because the LDAP operations we speak are four and
 * their encodings fit on a page; anything outside the subset is refused as malformed.
 */

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  enumerated: 0x0a,
  sequence: 0x30,
  set: 0x31,
} as const;

export class BerError extends Error {
  override readonly name = "BerError";
}

const text = new TextEncoder();
const utf8 = new TextDecoder("utf-8");

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One TLV: tag, definite length, content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const head = [tag, ...lengthBytes(content.length)];
  const out = new Uint8Array(head.length + content.length);
  out.set(head, 0);
  out.set(content, head.length);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const seq = (tag: number, ...parts: Uint8Array[]) => tlv(tag, concat(parts));
export const octets = (value: string | Uint8Array, tag: number = TAG.octetString) => tlv(tag, typeof value === "string" ? text.encode(value) : value);
export const bool = (value: boolean) => tlv(TAG.boolean, Uint8Array.of(value ? 0xff : 0x00));

/** A non-negative INTEGER (or ENUMERATED with tag 0x0a), two's complement, shortest form. */
export function int(value: number, tag: number = TAG.integer): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new BerError("only non-negative integers are encoded");
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(tag, Uint8Array.from(bytes));
}

/** A decoded TLV: its tag, its content bytes, and for constructed ones their children on demand. */
export interface Element {
  tag: number;
  content: Uint8Array;
}

/** The length of the first complete TLV in `bytes`, or null when more bytes are needed. */
export function completeLength(bytes: Uint8Array): number | null {
  if (bytes.length < 2) return null;
  const first = bytes[1]!;
  if (first < 0x80) return 2 + first <= bytes.length ? 2 + first : null;
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new BerError("indefinite or oversized length");
  if (bytes.length < 2 + count) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i]!;
  const total = 2 + count + length;
  return total <= bytes.length ? total : null;
}

/** Every TLV in `bytes`, which must hold whole TLVs only. */
export function children(bytes: Uint8Array): Element[] {
  const out: Element[] = [];
  let at = 0;
  while (at < bytes.length) {
    const rest = bytes.subarray(at);
    const total = completeLength(rest);
    if (total === null) throw new BerError("truncated element");
    const first = rest[1]!;
    const head = first < 0x80 ? 2 : 2 + (first & 0x7f);
    out.push({ tag: rest[0]!, content: rest.subarray(head, total) });
    at += total;
  }
  return out;
}

export function readInt(element: Element | undefined): number {
  if (!element || element.content.length === 0 || element.content.length > 6) throw new BerError("bad integer");
  let value = element.content[0]! & 0x80 ? -1 : 0;
  for (const byte of element.content) value = value * 256 + byte;
  return value;
}

export function readString(element: Element | undefined): string {
  if (!element) throw new BerError("missing string");
  return utf8.decode(element.content);
}
