// Command line of `npm run shards`: commands, options, validation and help text.
// The tests (test/cli, in Node) check that every bad argument gets a clear message.

export const BUCKETS = 4096;
export const MAX_SHARDS = 4096;
export const MAX_CONCURRENCY = 32;

/** A bad command line; the CLI prints the message and a pointer to --help, and exits 2. */
export class ShardsUsageError extends Error {
  override name = "ShardsUsageError";
}

type Value = string | number | boolean;

interface OptionDef {
  type: "string" | "boolean";
  description: string;
  placeholder?: string;
  required?: boolean;
  /** Validates and converts the raw value; throws ShardsUsageError with the reason. */
  parse?: (raw: string, flag: string) => Value;
}

interface CommandDef {
  summary: string;
  usage: string;
  options: Record<string, OptionDef>;
  notes?: string;
}

export interface ParsedArgs {
  command: string;
  /** Parsed option values; booleans are always present (false when absent). */
  options: Record<string, Value | undefined>;
  help: boolean;
}

export function integer(min: number, max: number, what = "an integer"): (raw: string, flag: string) => number {
  return (raw, flag) => {
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new ShardsUsageError(`${flag} must be ${what} between ${min} and ${max}, got '${raw}'`);
    }
    return value;
  };
}

function positive(raw: string, flag: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new ShardsUsageError(`${flag} must be a positive number of moves per second (e.g. 2 or 0.5), got '${raw}'`);
  }
  return value;
}

function shardName(raw: string, flag: string): string {
  if (!/^shard-\d+$/.test(raw)) throw new ShardsUsageError(`${flag} must be a shard name like shard-3 (see \`status\`), got '${raw}'`);
  return raw;
}

function planBy(raw: string, flag: string): string {
  if (raw !== "buckets" && raw !== "load") throw new ShardsUsageError(`${flag} must be buckets or load, got '${raw}'`);
  return raw;
}

const common: Record<string, OptionDef> = {
  url: { type: "string", placeholder: "URL", description: "Provider base URL (default: $AUTHSHARD_URL, else http://127.0.0.1:8787)." },
  json: { type: "boolean", description: "Print JSON for scripts instead of tables." },
};
const shards: OptionDef = { type: "string", required: true, placeholder: "N", description: `Number of shards to spread the buckets over (1..${MAX_SHARDS}).`, parse: integer(1, MAX_SHARDS) };
const by: OptionDef = { type: "string", placeholder: "buckets|load", description: "Balance bucket counts (default) or requests over the last 15 minutes.", parse: planBy };
const concurrency: OptionDef = { type: "string", placeholder: "K", description: `Moves in flight at once (1..${MAX_CONCURRENCY}, default 4).`, parse: integer(1, MAX_CONCURRENCY) };

export const COMMANDS: Record<string, CommandDef> = {
  status: { summary: "Map version, shards with buckets, users and recent requests, moves in flight.", usage: "status", options: {} },
  plan: { summary: "Dry run: the moves a rebalance to N shards would make, as a table.", usage: "plan --shards N [--by buckets|load] [--all]", options: { shards, by, all: { type: "boolean", description: "List every move, not just the first 20." } } },
  "add-shard": { summary: "Add an empty shard to the map (buckets reach it by moves).", usage: "add-shard", options: {} },
  move: {
    summary: "Move one bucket to another shard, now.",
    usage: "move --bucket B --to SHARD",
    options: {
      bucket: { type: "string", required: true, placeholder: "B", description: `Bucket number (0..${BUCKETS - 1}); \`npm run users -- get\` shows a user's.`, parse: integer(0, BUCKETS - 1, "a bucket number") },
      to: { type: "string", required: true, placeholder: "SHARD", description: "Target shard, e.g. shard-2.", parse: shardName },
    },
  },
  rebalance: {
    summary: "Plan and execute the moves to N shards, with a progress bar, throughput and ETA.",
    usage: "rebalance --shards N [--by buckets|load] [--concurrency K] [--max-rate R]",
    options: { shards, by, concurrency, "max-rate": { type: "string", placeholder: "R", description: "Start at most R moves per second (default: no limit).", parse: positive } },
    notes: "Interrupted (Ctrl-C, crash)? Run `resume`: moves continue from their recorded step.",
  },
  resume: {
    summary: "Finish every open move (after a crash), or roll them back with --rollback.",
    usage: "resume [--rollback] [--concurrency K]",
    options: { rollback: { type: "boolean", description: "Undo open moves that have not flipped yet; cancel those not started." }, concurrency },
  },
  verify: {
    summary: "Checksum every bucket on every shard against the directory's map.",
    usage: "verify [--from B] [--to B]",
    options: {
      from: { type: "string", placeholder: "B", description: "First bucket (default 0).", parse: integer(0, BUCKETS - 1, "a bucket number") },
      to: { type: "string", placeholder: "B", description: `Last bucket (default ${BUCKETS - 1}).`, parse: integer(0, BUCKETS - 1, "a bucket number") },
    },
  },
};

/** Parses `argv` (after the script name). Throws ShardsUsageError with a message naming the problem. */
export function parseShardsArgv(argv: readonly string[]): ParsedArgs {
  const [name, ...rest] = argv;
  if (name === undefined) throw new ShardsUsageError("missing command");
  if (name === "--help" || name === "-h" || name === "help") return { command: "", options: {}, help: true };
  if (name.startsWith("-")) throw new ShardsUsageError(`expected a command before ${name}`);
  const def = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!def) throw new ShardsUsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(", ")})`);
  const specs: Record<string, OptionDef> = { ...def.options, ...common };
  const raw = new Map<string, string | true>();
  let help = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new ShardsUsageError(`unexpected argument '${arg}'${/^-\w/.test(arg) ? "" : " (options start with --)"}`);
    const eq = arg.indexOf("=");
    const key = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!spec) throw new ShardsUsageError(`unknown option --${key} for ${name}${suggest(key, Object.keys(specs))}`);
    if (raw.has(key)) throw new ShardsUsageError(`--${key} given twice`);
    if (spec.type === "boolean") {
      if (eq >= 0) throw new ShardsUsageError(`--${key} does not take a value`);
      raw.set(key, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new ShardsUsageError(`--${key} needs a value (${spec.placeholder ?? "VALUE"})`);
    if (value.trim() === "") throw new ShardsUsageError(`--${key} must not be empty`);
    raw.set(key, value);
  }
  if (help) return { command: name, options: {}, help: true };
  const options: Record<string, Value | undefined> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = raw.get(key);
    if (spec.type === "boolean") options[key] = value === true;
    else if (value === undefined && spec.required) throw new ShardsUsageError(`--${key} is required (${def.usage})`);
    else if (typeof value === "string") options[key] = spec.parse ? spec.parse(value, `--${key}`) : value;
  }
  if (name === "verify" && typeof options.from === "number" && typeof options.to === "number" && options.from > options.to) {
    throw new ShardsUsageError(`--from (${options.from}) must not be after --to (${options.to})`);
  }
  return { command: name, options, help: false };
}

/** " (did you mean --x?)" for a near miss: a typo of at most two edits, or a prefix. */
function suggest(key: string, known: string[]): string {
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

export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join("\n");
  return (
    "Usage: npm run shards -- <command> [options]\n\n" +
    `Commands:\n${list}\n\n` +
    "Common options: --url URL, --json, --help\n" +
    "Run `npm run shards -- <command> --help` for a command's options.\n" +
    "The operator token is read from $ADMIN_TOKEN, else from ADMIN_TOKEN in ./.dev.vars.\n"
  );
}

export function commandHelp(name: string): string {
  const def = COMMANDS[name]!;
  const rows = Object.entries({ ...def.options, ...common }).map(([key, o]): [string, string] => [
    `--${key}${o.type === "string" ? ` ${o.placeholder ?? "VALUE"}` : ""}`,
    `${o.description}${o.required ? " (required)" : ""}`,
  ]);
  rows.push(["-h, --help", "Show this help and exit."]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const options = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join("\n");
  return `Usage: npm run shards -- ${def.usage}\n\n${def.summary}\n\nOptions:\n${options}\n${def.notes ? `\n${def.notes}\n` : ""}`;
}
