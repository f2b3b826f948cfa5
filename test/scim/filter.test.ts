import { describe, expect, it } from "vitest";
import { filterToSql, matchesFilter, parseFilter } from "../../src/router/scim/filter";

const COLUMNS = { username: { sql: "e.email", form: "lower" }, displayname: { sql: "s.display_name", form: "nocase" }, externalid: { sql: "s.external_id", form: "exact" } } as const;

/** RFC 7644 §3.4.2.2: the filter grammar, precedence, and what becomes SQL. */
describe("SCIM filter parser", () => {
  it("and binds tighter than or; not takes a parenthesised filter; attribute names and operators ignore case", () => {
    expect(parseFilter('userName eq "a" or displayName sw "b" and displayName co "c"')).toEqual({
      op: "or",
      left: { op: "eq", attr: "userName", value: "a" },
      right: { op: "and", left: { op: "sw", attr: "displayName", value: "b" }, right: { op: "co", attr: "displayName", value: "c" } },
    });
    expect(parseFilter('not (userName EQ "x\\"y")')).toEqual({ op: "not", filter: { op: "eq", attr: "userName", value: 'x"y' } });
    expect(parseFilter("active eq true")).toEqual({ op: "eq", attr: "active", value: true });
  });

  it("becomes bound SQL: values are parameters, never part of the statement", () => {
    const sql = filterToSql(parseFilter(`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "A'; DROP TABLE x; --" and displayName pr`), COLUMNS);
    expect(sql.sql).toBe("((substr(e.email, 1, ?) = ?) AND (s.display_name IS NOT NULL AND s.display_name <> ''))");
    expect(sql.values).toEqual([20, "a'; drop table x; --"]);
  });

  it("userName eq compares the stored (normalised) email as is, so its index answers; externalId is caseExact (RFC 7643 §2.2); displayName ignores case", () => {
    expect(filterToSql(parseFilter('userName eq "Ada@Example.COM"'), COLUMNS)).toEqual({ sql: "(e.email = ?)", values: ["ada@example.com"] });
    expect(filterToSql(parseFilter('externalId eq "AbC"'), COLUMNS)).toEqual({ sql: "(s.external_id = ?)", values: ["AbC"] });
    expect(filterToSql(parseFilter('displayName co "Ada"'), COLUMNS)).toEqual({ sql: "(instr(lower(s.display_name), ?) > 0)", values: ["ada"] });
  });

  it("refuses malformed filters and unsupported attributes as invalidFilter", () => {
    for (const bad of ["", "userName", 'userName eq', 'userName eq "x" and', 'userName like "x"', "userName eq bare", "not userName pr", '((userName pr)', `userName eq "${"x".repeat(2100)}"`]) {
      expect(() => parseFilter(bad), bad).toThrow(expect.objectContaining({ status: 400, scimType: "invalidFilter" }));
    }
    expect(() => filterToSql(parseFilter('password eq "x"'), COLUMNS)).toThrow(/not supported/);
  });

  it("value filters match elements of a multi-valued attribute (emails[type eq \"work\"])", () => {
    const f = parseFilter('type eq "work" and primary eq true');
    expect(matchesFilter(f, { type: "Work", primary: true, value: "a@x" })).toBe(true);
    expect(matchesFilter(f, { type: "home", primary: true })).toBe(false);
  });
});
