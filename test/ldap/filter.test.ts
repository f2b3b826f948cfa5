import { describe, expect, it } from "vitest";
import { BerError } from "../../src/ldap/ber";
import { encodeFilter, escapeFilterValue, fillFilter } from "../../src/ldap/filter";
import { bindRequest, nextPageCookie, parseEntry, parseMessage, searchRequest } from "../../src/ldap/messages";

/** Hex of bytes, for comparing BER with the encodings the RFCs spell out. */
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const utf8 = (s: string) => hex(new TextEncoder().encode(s));

describe("search filters (RFC 4515)", () => {
  it("escapes *, (, ), \\ and NUL in a typed value (§3), so it can only ever be a value", () => {
    expect(escapeFilterValue("a*b(c)d\\e\u0000")).toBe("a\\2ab\\28c\\29d\\5ce\\00");
    expect(fillFilter("(|(uid={username})(mail={username}))", "x)(uid=*")).toBe("(|(uid=x\\29\\28uid=\\2a)(mail=x\\29\\28uid=\\2a))");
  });

  it("an injection attempt stays one equality match on a literal value (RFC 4511 §4.5.1.7 equalityMatch)", () => {
    const filter = encodeFilter(fillFilter("(uid={username})", "*)(objectClass=*"));
    // [3] equalityMatch { "uid", "*)(objectClass=*" } — no presence test, no second clause.
    expect(hex(filter)).toBe(`a3${(5 + 2 + 16).toString(16).padStart(2, "0")}0403${utf8("uid")}0410${utf8("*)(objectClass=*")}`);
  });

  it("encodes and/or/not, presence and substrings with the context tags of RFC 4511 §4.5.1", () => {
    expect(hex(encodeFilter("(objectClass=*)"))).toBe(`870b${utf8("objectClass")}`);
    expect(hex(encodeFilter("(!(uid=a))"))).toBe(`a20aa3080403${utf8("uid")}0401${utf8("a")}`);
    expect(hex(encodeFilter("(&(a=1)(b=2))")).startsWith("a010a306")).toBe(true);
    expect(hex(encodeFilter("(|(a=1)(b=2))")).startsWith("a110")).toBe(true);
    // initial [0], any [1], final [2]
    expect(hex(encodeFilter("(cn=ab*cd*ef)"))).toBe(`a4120402${utf8("cn")}300c8002${utf8("ab")}8102${utf8("cd")}8202${utf8("ef")}`);
  });

  it("refuses malformed filters instead of guessing", () => {
    for (const bad of ["uid=a", "(uid=a", "(&(uid=a)", "(uid=a))", "(uid:dn:=a)", "(uid=\\zz)", "(!(a=1)(b=2))"]) {
      expect(() => encodeFilter(bad), bad).toThrow(BerError);
    }
  });
});

describe("LDAP messages (RFC 4511)", () => {
  it("a simple bind is version 3, the DN and the password as [0] (§4.2)", () => {
    expect(hex(bindRequest(1, "cn=a", "pw"))).toBe(`3012020101600d0201030404${utf8("cn=a")}8002${utf8("pw")}`);
  });

  it("a paged search carries the RFC 2696 control, and the cookie of the next page is read back", () => {
    const request = parseMessage(searchRequest(7, { base: "dc=x", scope: 2, filter: "(uid=*)", attributes: ["mail"], page: { size: 50, cookie: new Uint8Array(0) } }));
    expect(request.id).toBe(7);
    expect(request.controls).toHaveLength(1);
    expect(request.controls[0]!.oid).toBe("1.2.840.113556.1.4.319");
    expect(hex(request.controls[0]!.value!)).toBe("30050201320400");
    const done = { oid: "1.2.840.113556.1.4.319", value: Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x00, 0x04, 0x02, 0xab, 0xcd]) };
    expect(hex(nextPageCookie([done]))).toBe("abcd");
  });

  it("reads a SearchResultEntry with attribute names lower-cased (§4.5.2)", () => {
    const entry = Uint8Array.from([
      0x30, 0x1e, 0x02, 0x01, 0x02, 0x64, 0x19, 0x04, 0x04, ...new TextEncoder().encode("cn=a"),
      0x30, 0x11, 0x30, 0x0f, 0x04, 0x04, ...new TextEncoder().encode("Mail"), 0x31, 0x07, 0x04, 0x05, ...new TextEncoder().encode("a@b.c"),
    ]);
    const message = parseMessage(entry);
    expect(message.id).toBe(2);
    expect(parseEntry(message.op)).toEqual({ dn: "cn=a", attributes: { mail: ["a@b.c"] } });
  });

  it("refuses truncated or indefinite-length BER", () => {
    expect(() => parseMessage(Uint8Array.from([0x30, 0x05, 0x02, 0x01]))).toThrow(BerError);
    expect(() => parseMessage(Uint8Array.from([0x30, 0x80, 0x00, 0x00]))).toThrow(BerError);
  });
});
