// Small layer over util.parseArgs: declared options with descriptions,
// required flags, readable errors and generated --help text.
import { parseArgs } from "node:util";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  short?: string;
  required?: boolean;
  /** Shown in help after the flag, e.g. "EMAIL" gives `--email EMAIL`. */
  placeholder?: string;
}

export type Options = Record<string, OptionSpec>;

export interface CommandSpec<O extends Options> {
  /** Usage line, e.g. "npm run users -- create --email E --password P". */
  usage: string;
  summary?: string;
  options: O;
  /** Extra text appended to the help output. */
  notes?: string;
}

/** Parsed flags: booleans are always set, required strings are always present. */
export type Values<O extends Options> = {
  [K in keyof O]: O[K] extends { type: "boolean" }
    ? boolean
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

/**
 * Parses argv against the spec. Prints help and exits 0 on --help; throws
 * UsageError for unknown flags, missing values and missing required flags.
 */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, argv: string[]): Values<O> {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, opt] of Object.entries(spec.options)) {
    options[name] = opt.short ? { type: opt.type, short: opt.short } : { type: opt.type };
  }

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }

  if (values.help) {
    process.stdout.write(formatHelp(spec));
    process.exit(0);
  }

  const out: Record<string, string | boolean | undefined> = {};
  for (const [name, opt] of Object.entries(spec.options)) {
    const value = values[name];
    if (opt.type === "boolean") {
      out[name] = value === true;
      continue;
    }
    if (value === undefined && opt.required) throw new UsageError(`--${name} is required`);
    if (value === "") throw new UsageError(`--${name} must not be empty`);
    out[name] = value;
  }
  return out as Values<O>;
}

/** Turns util.parseArgs errors into short messages naming the flag. */
function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  const flag = quoted.split(" ")[0] ?? quoted;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${quoted}'`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("does not take an argument")) return `${flag} does not take a value`;
      return `${flag} needs a value (write ${flag}=VALUE if the value starts with '-')`;
    default:
      return message;
  }
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
