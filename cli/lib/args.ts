// The command-line toolkit of the Node tools (cli/ and load/): declared options with
// descriptions and value checks over util.parseArgs, readable errors, generated --help
// text, and one way to run an entry point.
import { parseArgs } from "node:util";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  short?: string;
  required?: boolean;
  /** Shown in help after the flag, e.g. "EMAIL" gives `--email EMAIL`. */
  placeholder?: string;
  /** Checks and converts a string option's value (`integerIn`, ...); throws UsageError naming flag and value. */
  parse?: (raw: string, flag: string) => unknown;
}

export type Options = Record<string, OptionSpec>;

export interface CommandSpec<O extends Options> {
  /** Usage line, e.g. "npm run users -- create --email E --password P". */
  usage: string;
  /** The command's name, for messages (`unknown option --x for plan`). */
  name?: string;
  summary?: string;
  options: O;
  /** Extra text appended to the help output. */
  notes?: string;
}

/** Parsed flags: booleans are always set, required ones are always present, checked ones have their parsed type. */
export type Values<O extends Options> = {
  [K in keyof O]: O[K] extends { type: "boolean" }
    ? boolean
    : O[K] extends { parse: (raw: string, flag: string) => infer T }
      ? O[K] extends { required: true }
        ? T
        : T | undefined
      : O[K] extends { required: true }
        ? string
        : string | undefined;
};

/** Thrown for bad command lines; the process exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Thrown for failures worth a one-line message (no stack); exits with status 1. */
export class CliError extends Error {
  override name = "CliError";
  exitCode = 1;
}

export const helpOption: OptionSpec = {
  type: "boolean",
  short: "h",
  description: "Show this help and exit.",
};

/** A value check for `parse`: an integer in [min, max], e.g. `--shards must be an integer between 1 and 4096, got '0'`. */
export function integerIn(min: number, max: number, what = "an integer"): (raw: string, flag: string) => number {
  return (raw, flag) => {
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`${flag} must be ${what} between ${min} and ${max}, got '${raw}'`);
    }
    return value;
  };
}

/**
 * Reads argv against the spec, without output or exit: the values, or `help` when
 * --help was asked for. Throws UsageError for unknown or repeated flags, missing
 * values, missing required flags, and values their option's check refuses.
 */
export function readArgs<O extends Options>(spec: CommandSpec<O>, argv: readonly string[]): { help: true } | { help: false; values: Values<O> } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, opt] of Object.entries(spec.options)) {
    options[name] = opt.short ? { type: opt.type, short: opt.short } : { type: opt.type };
  }

  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(spec.options, argv), options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw new UsageError(describeParseError(err, spec));
  }
  const { values, tokens } = parsed;
  if (values.help) return { help: true };
  const given = tokens.flatMap((t) => (t.kind === "option" && t.name !== "help" ? [t.name] : []));
  const repeated = given.find((name, i) => given.indexOf(name) !== i);
  if (repeated !== undefined) throw new UsageError(`--${repeated} given twice`);

  const out: Record<string, unknown> = {};
  for (const [name, opt] of Object.entries(spec.options)) {
    const value = values[name];
    if (opt.type === "boolean") {
      out[name] = value === true;
      continue;
    }
    if (value === undefined && opt.required) throw new UsageError(`--${name} is required`);
    if (typeof value !== "string") continue;
    if (value === "") throw new UsageError(`--${name} must not be empty`);
    out[name] = opt.parse ? opt.parse(value, `--${name}`) : value;
  }
  return { help: false, values: out as Values<O> };
}

/** Parses argv against the spec; on --help prints the help and exits 0. Throws UsageError like readArgs. */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]): Values<O> {
  const read = readArgs(spec, argv);
  if (read.help) {
    process.stdout.write(formatHelp(spec));
    process.exit(0);
  }
  return read.values;
}

/**
 * util.parseArgs takes `--bucket -1` for a flag without its value; joined as
 * `--bucket=-1`, the option's own check can say what is wrong with the number.
 */
function joinNegativeValues(options: Options, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Turns util.parseArgs errors into short messages naming the flag. */
function describeParseError(err: unknown, spec: CommandSpec<Options>): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const flag = quoted.split(" ")[0] ?? quoted;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag}${spec.name ? ` for ${spec.name}` : ""}${suggestion(flag, Object.keys(spec.options))}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${quoted}' (options start with --)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (message.includes("does not take an argument")) return `${flag} does not take a value`;
      const name = flag.replace(/^-+/, "");
      const needs = `${flag} needs a value (${spec.options[name]?.placeholder ?? name.toUpperCase()})`;
      return message.includes("ambiguous") ? `${needs}; write ${flag}=VALUE for a value that starts with '-'` : needs;
    }
    default:
      return message;
  }
}

/** " (did you mean --x?)" for a near miss of a long option: a prefix, or at most two edits away. */
function suggestion(flag: string, known: string[]): string {
  if (!flag.startsWith("--")) return "";
  const key = flag.slice(2);
  const close = known.find((k) => k.startsWith(key) || editDistance(k, key) <= 2);
  return close ? ` (did you mean --${close}?)` : "";
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

export function formatHelp<O extends Options>(spec: CommandSpec<O>): string {
  const rows: Array<[string, string]> = [];
  for (const [name, opt] of Object.entries(spec.options)) {
    const short = opt.short ? `-${opt.short}, ` : "    ";
    const arg = opt.type === "string" ? ` ${opt.placeholder ?? name.toUpperCase()}` : "";
    const req = opt.required ? " (required)" : "";
    rows.push([`${short}--${name}${arg}`, `${opt.description}${req}`]);
  }
  rows.push(["-h, --help", helpOption.description]);

  const width = Math.max(...rows.map(([left]) => left.length));
  let text = `Usage: ${spec.usage}\n`;
  if (spec.summary) text += `\n${spec.summary}\n`;
  text += "\nOptions:\n";
  for (const [left, right] of rows) text += `  ${left.padEnd(width)}  ${right}\n`;
  if (spec.notes) text += `\n${spec.notes.trimEnd()}\n`;
  return text;
}

/**
 * Runs an async entry point with uniform error handling: usage errors exit 2
 * with a pointer to --help, other known errors exit 1 with their message.
 */
export function runMain(main: () => Promise<void>, helpHint: string | (() => string)): void {
  main().catch((err: unknown) => {
    if (err instanceof UsageError) {
      const hint = typeof helpHint === "function" ? helpHint() : helpHint;
      process.stderr.write(`error: ${err.message}\n${hint}\n`);
      process.exitCode = 2;
    } else if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  });
}
