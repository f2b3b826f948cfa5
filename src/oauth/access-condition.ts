import * as z from "zod/mini";
import type { Condition } from "./access-policy";

/**
 * The schema of an ABAC condition (./access-policy.ts), for what operators send and what is
 * read back from D1. In a file of its own: the token path evaluates conditions but only
 * loads this (and zod) when role definitions with conditions are read (router/lazy.ts).
 */
const MAX_DEPTH = 6;

const ATTRIBUTE = z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, "attribute names are lower_snake_case"));
const text = z.string().check(z.maxLength(256));
const instant = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date-time"));
const hour = z.number().check(z.int(), z.gte(0), z.lte(24));

const attributeTest = z.strictObject({
  attribute: ATTRIBUTE,
  equals: z.optional(text),
  in: z.optional(z.array(text).check(z.maxLength(100))),
  ends_with: z.optional(text),
  present: z.optional(z.boolean()),
}).check(z.refine((t) => [t.equals, t.in, t.ends_with, t.present].filter((v) => v !== undefined).length === 1, "an attribute test needs exactly one of equals, in, ends_with, present"));

const timeWindow = z.strictObject({
  time: z.strictObject({
    after: z.optional(instant),
    before: z.optional(instant),
    hours: z.optional(z.tuple([hour, hour])),
    weekdays: z.optional(z.array(z.number().check(z.int(), z.gte(0), z.lte(6))).check(z.maxLength(7))),
  }),
});

/** The schema of a condition, nested at most MAX_DEPTH levels (checked in parseCondition). */
const conditionSchema: z.ZodMiniType<Condition> = z.union([
  z.strictObject({ all: z.array(z.lazy(() => conditionSchema)).check(z.minLength(1), z.maxLength(20)) }),
  z.strictObject({ any: z.array(z.lazy(() => conditionSchema)).check(z.minLength(1), z.maxLength(20)) }),
  z.strictObject({ not: z.lazy(() => conditionSchema) }),
  attributeTest,
  timeWindow,
]) as z.ZodMiniType<Condition>;

function depthOf(c: Condition): number {
  if ("all" in c) return 1 + Math.max(...c.all.map(depthOf));
  if ("any" in c) return 1 + Math.max(...c.any.map(depthOf));
  if ("not" in c) return 1 + depthOf(c.not);
  return 1;
}

/** A condition as an operator sent it: the condition, or a message saying what is wrong. */
export function parseCondition(raw: unknown): { ok: true; condition: Condition } | { ok: false; message: string } {
  const parsed = z.safeParse(conditionSchema, raw);
  if (!parsed.success) return { ok: false, message: `condition: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  if (depthOf(parsed.data) > MAX_DEPTH) return { ok: false, message: `condition: nested deeper than ${MAX_DEPTH} levels` };
  return { ok: true, condition: parsed.data };
}

