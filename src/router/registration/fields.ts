import { invalidClientMetadata } from "./errors";

/**
 * Typed reads of one member of a registration request. Each names the member in its
 * error, so every refusal says which field and why (RFC 7591 §3.2.2).
 */
export type Input = Readonly<Record<string, unknown>>;

export function optionalString(input: Input, field: string, maxLength: number): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidClientMetadata(field, "must be a string");
  if (value.length > maxLength) throw invalidClientMetadata(field, `must be at most ${maxLength} characters`);
  return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidClientMetadata(field, "must be true or false");
  return value;
}

/** An array of strings, duplicates dropped (order kept). */
export function optionalStringArray(input: Input, field: string, maxItems: number, maxLength: number): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidClientMetadata(field, "must be an array of strings");
  if (value.length > maxItems) throw invalidClientMetadata(field, `must have at most ${maxItems} entries`);
  for (const [i, item] of value.entries()) {
    if (typeof item !== "string") throw invalidClientMetadata(`${field}[${i}]`, "must be a string");
    if (item.length > maxLength) throw invalidClientMetadata(`${field}[${i}]`, `must be at most ${maxLength} characters`);
  }
  return [...new Set(value as string[])];
}

/** One of `choices`, else a message listing them (and `hints` for values worth a word of their own). */
export function optionalChoice<const C extends readonly string[]>(
  input: Input,
  field: string,
  choices: C,
  hints: Readonly<Record<string, string>> = {},
): C[number] | undefined {
  const value = optionalString(input, field, 200);
  if (value === undefined) return undefined;
  if (choices.includes(value)) return value;
  throw invalidClientMetadata(field, hints[value] ?? `${JSON.stringify(value)} is not supported (supported: ${choices.join(", ")})`);
}

/** A URI `problem` accepts; `fail` builds the error (invalid_redirect_uri for redirect URIs). */
export function checkedUri(field: string, value: string, problem: (raw: string) => string | null, fail = invalidClientMetadata): string {
  const why = problem(value);
  if (why) throw fail(field, why);
  return value;
}
