import { ScimError } from "./errors";

/**
 * SCIM filters (RFC 7644 §3.4.2.2): attribute operators eq ne co sw ew pr gt ge lt le,
 * logical and / or / not, parentheses, precedence and > or. Parsed into a tree, then
 * turned into a SQL condition over the columns an index table has — values are bound,
 * never spliced, and an attribute without a column is an invalidFilter error.
 */

export type Filter =
  | { op: "and" | "or"; left: Filter; right: Filter }
  | { op: "not"; filter: Filter }
  | { op: "pr"; attr: string }
  | { op: "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le"; attr: string; value: string | number | boolean | null };

const COMPARE = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const MAX_LENGTH = 2048;
const MAX_DEPTH = 20;

const invalid = (detail: string) => new ScimError(400, detail, "invalidFilter");

type Token = { kind: "word" | "string" | "open" | "close"; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))/y;
  while (!/^\s*$/.test(input.slice(re.lastIndex))) {
    const match = re.exec(input);
    if (!match) throw invalid("the filter has an unterminated string or stray characters");
    if (match[1]) tokens.push({ kind: "open", text: "(" });
    else if (match[2]) tokens.push({ kind: "close", text: ")" });
    else if (match[3] !== undefined) tokens.push({ kind: "string", text: unescape(match[3]) });
    else tokens.push({ kind: "word", text: match[4]! });
  }
  return tokens;
}

function unescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw invalid("the filter has a string with a bad escape");
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Filter {
    const filter = this.or(0);
    if (this.i < this.tokens.length) throw invalid(`unexpected '${this.tokens[this.i]!.text}' in the filter`);
    return filter;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t?.kind === "word" ? t.text.toLowerCase() : undefined;
  }

  private or(depth: number): Filter {
    let left = this.and(depth);
    while (this.peekWord() === "or") {
      this.i++;
      left = { op: "or", left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): Filter {
    let left = this.unary(depth);
    while (this.peekWord() === "and") {
      this.i++;
      left = { op: "and", left, right: this.unary(depth) };
    }
    return left;
  }

  private unary(depth: number): Filter {
    if (depth > MAX_DEPTH) throw invalid("the filter is nested too deeply");
    if (this.peekWord() === "not") {
      this.i++;
      if (this.tokens[this.i]?.kind !== "open") throw invalid("not must be followed by a parenthesised filter");
      return { op: "not", filter: this.unary(depth + 1) };
    }
    if (this.tokens[this.i]?.kind === "open") {
      this.i++;
      const inner = this.or(depth + 1);
      if (this.tokens[this.i]?.kind !== "close") throw invalid("missing ')' in the filter");
      this.i++;
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Filter {
    const attr = this.tokens[this.i++];
    if (attr?.kind !== "word" || !/^[A-Za-z][\w:.$-]*$/.test(attr.text)) throw invalid("expected an attribute name in the filter");
    const op = this.peekWord();
    this.i++;
    if (op === "pr") return { op: "pr", attr: attr.text };
    if (op === undefined || !COMPARE.has(op)) throw invalid(`expected an operator after '${attr.text}' (eq, ne, co, sw, ew, pr, gt, ge, lt, le)`);
    const value = this.tokens[this.i++];
    if (value === undefined || value.kind === "open" || value.kind === "close") throw invalid(`expected a value after '${attr.text} ${op}'`);
    return { op: op as Exclude<Filter["op"], "and" | "or" | "not" | "pr">, attr: attr.text, value: value.kind === "string" ? value.text : literal(value.text) };
  }
}

function literal(text: string): boolean | number | null {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw invalid(`'${text}' is not a filter value (strings are quoted)`);
}

export function parseFilter(input: string): Filter {
  if (input.length > MAX_LENGTH) throw invalid(`the filter is longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw invalid("the filter is empty");
  return new Parser(tokens).parse();
}

/**
 * How a column compares: `lower` holds values stored lower-cased (emails), so the value is
 * lower-cased and the column compared as is — its index serves eq; `exact` is caseExact
 * (externalId, ids, RFC 7643 §2.2) — compared as sent, index too; `nocase` lower-cases both.
 */
export interface FilterColumn {
  sql: string;
  form: "lower" | "exact" | "nocase";
}

/** Attribute (lower case, schema URN prefix removed) → the column of the index being searched. */
export type FilterColumns = Readonly<Record<string, FilterColumn>>;

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

/** The SQL condition and its bound values for `filter`. */
export function filterToSql(filter: Filter, columns: FilterColumns): { sql: string; values: unknown[] } {
  if ("left" in filter) {
    const left = filterToSql(filter.left, columns);
    const right = filterToSql(filter.right, columns);
    return { sql: `(${left.sql} ${filter.op.toUpperCase()} ${right.sql})`, values: [...left.values, ...right.values] };
  }
  if ("filter" in filter) {
    const inner = filterToSql(filter.filter, columns);
    return { sql: `(NOT COALESCE(${inner.sql}, 0))`, values: inner.values };
  }
  const spec = columns[filter.attr.replace(CORE_PREFIX, "").toLowerCase()];
  if (spec === undefined) throw invalid(`filtering on '${filter.attr}' is not supported (supported: ${Object.keys(columns).join(", ")})`);
  const column = spec.sql;
  if (filter.op === "pr") return { sql: `(${column} IS NOT NULL AND ${column} <> '')`, values: [] };
  if (filter.value === null) {
    if (filter.op === "eq") return { sql: `(${column} IS NULL)`, values: [] };
    if (filter.op === "ne") return { sql: `(${column} IS NOT NULL)`, values: [] };
    throw invalid(`'${filter.op}' cannot compare with null`);
  }
  const value = spec.form === "exact" ? String(filter.value) : String(filter.value).toLowerCase();
  const col = spec.form === "nocase" ? `lower(${column})` : column;
  // SQLite's substr and length count characters (code points), not UTF-16 units.
  const length = [...value].length;
  switch (filter.op) {
    case "eq": return { sql: `(${col} = ?)`, values: [value] };
    case "ne": return { sql: `(${column} IS NULL OR ${col} <> ?)`, values: [value] };
    case "co": return { sql: `(instr(${col}, ?) > 0)`, values: [value] };
    case "sw": return { sql: `(substr(${col}, 1, ?) = ?)`, values: [length, value] };
    case "ew": return { sql: `(length(${col}) >= ? AND substr(${col}, -?) = ?)`, values: [length, length, value] };
    case "gt": return { sql: `(${col} > ?)`, values: [value] };
    case "ge": return { sql: `(${col} >= ?)`, values: [value] };
    case "lt": return { sql: `(${col} < ?)`, values: [value] };
    case "le": return { sql: `(${col} <= ?)`, values: [value] };
  }
}

function fieldOf(element: unknown, attr: string): unknown {
  if (typeof element !== "object" || element === null) return undefined;
  const key = Object.keys(element).find((k) => k.toLowerCase() === attr.toLowerCase());
  return key === undefined ? undefined : (element as Record<string, unknown>)[key];
}

/** Whether one element of a multi-valued attribute matches a value filter (`emails[type eq "work"]`). */
export function matchesFilter(filter: Filter, element: unknown): boolean {
  if ("left" in filter) return filter.op === "and" ? matchesFilter(filter.left, element) && matchesFilter(filter.right, element) : matchesFilter(filter.left, element) || matchesFilter(filter.right, element);
  if ("filter" in filter) return !matchesFilter(filter.filter, element);
  const actual = fieldOf(element, filter.attr);
  if (filter.op === "pr") return actual !== undefined && actual !== null && actual !== "";
  if (actual === undefined || actual === null) return filter.op === "ne" || (filter.op === "eq" && filter.value === null);
  const a = String(actual).toLowerCase();
  const v = String(filter.value).toLowerCase();
  switch (filter.op) {
    case "eq": return a === v;
    case "ne": return a !== v;
    case "co": return a.includes(v);
    case "sw": return a.startsWith(v);
    case "ew": return a.endsWith(v);
    case "gt": return a > v;
    case "ge": return a >= v;
    case "lt": return a < v;
    case "le": return a <= v;
  }
}
