import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/router/rate-limit/rules.ts";

/**
 * The worker cannot read a rate-limit binding's period, so src/router/rate-limit/rules.ts
 * repeats it for Retry-After. These tests keep the two in step: a period changed in
 * wrangler.jsonc alone would make Retry-After promise too little or too much.
 */

interface RatelimitBinding {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

function ratelimits(): RatelimitBinding[] {
  const path = resolve(import.meta.dirname, "../../wrangler.jsonc");
  const { config, error } = ts.parseConfigFileTextToJson(path, readFileSync(path, "utf8"));
  if (error) throw new Error(`wrangler.jsonc: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`);
  return (config as { ratelimits: RatelimitBinding[] }).ratelimits;
}

describe("rate-limit rules and the wrangler.jsonc bindings", () => {
  it("every rule's binding is declared with the period the rule answers in Retry-After", () => {
    const declared = new Map(ratelimits().map((b) => [b.name, b]));
    for (const rule of RULES) {
      expect(declared.get(rule.binding)?.simple.period, rule.binding).toBe(rule.periodS);
    }
  });

  it("every declared binding belongs to a rule, with its own namespace and a positive limit", () => {
    const bindings = ratelimits();
    expect(bindings.map((b) => b.name).sort()).toEqual(RULES.map((r) => r.binding).sort());
    expect(new Set(bindings.map((b) => b.namespace_id)).size).toBe(bindings.length);
    for (const b of bindings) {
      expect([10, 60], b.name).toContain(b.simple.period);
      expect(Number.isInteger(b.simple.limit) && b.simple.limit > 0, b.name).toBe(true);
    }
  });
});
