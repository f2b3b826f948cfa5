import { BerError, concat, octets, seq, tlv } from "./ber";

/**
 * LDAP search filters (RFC 4515): escaping what a person typed, and the string form the
 * operator configures turned into the BER of RFC 4511 §4.5.1.7. Extensible matches
 * (`attr:rule:=value`) are refused: the filters we build never need them.
 */

/** RFC 4515 §3: `*`, `(`, `)`, `\` and NUL become `\XX`, so a typed name is only ever a value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\u0000]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** The operator's template with `{username}` replaced by the escaped value. */
export function fillFilter(template: string, username: string): string {
  return template.split("{username}").join(escapeFilterValue(username));
}

const bytes = new TextEncoder();

/** A value's `\XX` escapes decoded to bytes (RFC 4515 §3 valueencoding). */
function unescapeValue(raw: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === "\\") {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new BerError("bad escape in filter value");
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...bytes.encode(ch));
    }
  }
  return Uint8Array.from(out);
}

/** An item `attr op value` (RFC 4511 §4.5.1.7): equality, >=, <=, ~=, presence, substrings. */
function item(body: string): Uint8Array {
  const match = /^([A-Za-z0-9][A-Za-z0-9.;-]*)(~=|>=|<=|=)(.*)$/s.exec(body);
  if (!match) throw new BerError(`unsupported filter item ${JSON.stringify(body)}`);
  const [, attr, op, value] = match as unknown as [string, string, string, string];
  if (op === "=" && value === "*") return tlv(0x87, bytes.encode(attr));
  if (op === "=" && value.includes("*")) {
    const pieces = value.split("*");
    const parts: Uint8Array[] = [];
    pieces.forEach((piece, index) => {
      if (piece === "") return;
      const tag = index === 0 ? 0x80 : index === pieces.length - 1 ? 0x82 : 0x81;
      parts.push(tlv(tag, unescapeValue(piece)));
    });
    return seq(0xa4, octets(attr), seq(0x30, ...parts));
  }
  const tag = op === "=" ? 0xa3 : op === ">=" ? 0xa5 : op === "<=" ? 0xa6 : 0xa8;
  return seq(tag, octets(attr), octets(unescapeValue(value)));
}

/** Parses one parenthesised filter starting at `at`; returns its BER and where it ended. */
function parseAt(filter: string, at: number): [Uint8Array, number] {
  if (filter[at] !== "(") throw new BerError("a filter starts with (");
  const kind = filter[at + 1];
  if (kind === "&" || kind === "|" || kind === "!") {
    const parts: Uint8Array[] = [];
    let next = at + 2;
    while (filter[next] === "(") {
      const [part, end] = parseAt(filter, next);
      parts.push(part);
      next = end;
    }
    if (filter[next] !== ")" || parts.length === 0 || (kind === "!" && parts.length !== 1)) throw new BerError("unbalanced filter");
    const tag = kind === "&" ? 0xa0 : kind === "|" ? 0xa1 : 0xa2;
    return [tlv(tag, concat(parts)), next + 1];
  }
  const close = filter.indexOf(")", at);
  if (close < 0) throw new BerError("unbalanced filter");
  const body = filter.slice(at + 1, close);
  if (body.includes("(")) throw new BerError("unbalanced filter");
  return [item(body), close + 1];
}

/** The BER of a whole filter string; anything left over or malformed throws BerError. */
export function encodeFilter(filter: string): Uint8Array {
  const [encoded, end] = parseAt(filter.trim(), 0);
  if (end !== filter.trim().length) throw new BerError("text after the filter");
  return encoded;
}
