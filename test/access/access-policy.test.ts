import { describe, expect, it } from "vitest";
import { parseCondition } from "../../src/oauth/access-condition";
import { evaluate, grantedAccess, type Condition } from "../../src/oauth/access-policy";

const at = (iso: string) => Date.parse(iso);
const ctx = (attributes: Record<string, string>, iso = "2026-03-04T10:30:00Z") => ({ attributes, now: at(iso) });
const cond = (raw: unknown): Condition => {
  const parsed = parseCondition(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.condition;
};

describe("ABAC conditions (src/oauth/access-policy.ts)", () => {
  it("attribute tests: equals and in ignore case, ends_with, present; a missing attribute fails every test but present:false", () => {
    expect(evaluate(cond({ attribute: "department", equals: "finance" }), ctx({ department: "Finance" }))).toBe(true);
    expect(evaluate(cond({ attribute: "department", in: ["Sales", "HR"] }), ctx({ department: "Finance" }))).toBe(false);
    expect(evaluate(cond({ attribute: "email", ends_with: "@corp.example" }), ctx({ email: "a@corp.example" }))).toBe(true);
    expect(evaluate(cond({ attribute: "department", equals: "x" }), ctx({}))).toBe(false);
    expect(evaluate(cond({ attribute: "department", present: false }), ctx({}))).toBe(true);
    expect(evaluate(cond({ attribute: "constructor", present: true }), ctx({}))).toBe(false);
  });

  it("all / any / not compose", () => {
    const c = cond({ all: [{ attribute: "department", equals: "Finance" }, { not: { any: [{ attribute: "title", equals: "Intern" }, { attribute: "title", equals: "Guest" }] } }] });
    expect(evaluate(c, ctx({ department: "Finance", title: "Analyst" }))).toBe(true);
    expect(evaluate(c, ctx({ department: "Finance", title: "intern" }))).toBe(false);
  });

  it("time windows: after/before, UTC hours (also across midnight) and weekdays", () => {
    expect(evaluate(cond({ time: { after: "2026-01-01T00:00:00Z", before: "2027-01-01T00:00:00Z" } }), ctx({}))).toBe(true);
    expect(evaluate(cond({ time: { before: "2026-03-04T10:30:00Z" } }), ctx({}))).toBe(false);
    expect(evaluate(cond({ time: { hours: [9, 17] } }), ctx({}))).toBe(true);
    expect(evaluate(cond({ time: { hours: [9, 17] } }), ctx({}, "2026-03-04T17:00:00Z"))).toBe(false);
    expect(evaluate(cond({ time: { hours: [22, 6] } }), ctx({}, "2026-03-04T23:10:00Z"))).toBe(true);
    expect(evaluate(cond({ time: { hours: [22, 6] } }), ctx({}, "2026-03-04T12:00:00Z"))).toBe(false);
    // 2026-03-04 is a Wednesday (3).
    expect(evaluate(cond({ time: { weekdays: [1, 2, 3, 4, 5] } }), ctx({}))).toBe(true);
    expect(evaluate(cond({ time: { weekdays: [0, 6] } }), ctx({}))).toBe(false);
  });

  it("refuses what is not a condition: unknown keys, two tests at once, bad dates, too deep", () => {
    for (const raw of [{ eval: "x" }, { attribute: "a", equals: "x", in: ["y"] }, { attribute: "Bad-Name", equals: "x" }, { time: { after: "soon" } }, { all: [] }, "department == x"]) {
      expect(parseCondition(raw).ok, JSON.stringify(raw)).toBe(false);
    }
    let deep: unknown = { attribute: "a", equals: "b" };
    for (let i = 0; i < 6; i++) deep = { not: deep };
    expect(parseCondition(deep)).toMatchObject({ ok: false, message: expect.stringContaining("deeper") });
  });

  it("grantedAccess: group roles join direct ones; other clients' roles and failing conditions drop out; permissions are the union", () => {
    const roles = new Map([
      ["a", { name: "a", clientId: null, permissions: ["p1"], condition: null }],
      ["b", { name: "b", clientId: "other", permissions: ["p2"], condition: null }],
      ["c", { name: "c", clientId: null, permissions: ["p1", "p3"], condition: cond({ attribute: "email_domain", equals: "corp.example" }) }],
      ["d", { name: "d", clientId: "me", permissions: ["p4"], condition: cond({ attribute: "client_id", equals: "me" }) }],
    ]);
    const groups = new Map([["g1", { id: "g1", displayName: "Ops", roles: ["c", "d"] }]]);
    const granted = grantedAccess({ roles, groups }, { roles: ["a", "b", "undefined-role"], groups: ["g1", "gone"], attributes: {} }, { email: "x@corp.example", clientId: "me", now: 0 });
    expect(granted).toEqual({ roles: ["a", "c", "d"], groups: ["Ops"], permissions: ["p1", "p3", "p4"] });
    expect(grantedAccess({ roles, groups }, { roles: ["c"], groups: [], attributes: {} }, { email: "x@elsewhere.example", clientId: "me", now: 0 }).roles).toEqual([]);
  });
});
