// The shape shared by the operator CLIs that talk to the admin API (`npm run users`,
// `npm run clients`, `npm run shards`): named commands with their own options and
// --help, the common --url and --json, checking a response's status, and printing it.
import { CliError, UsageError, parseCommand, runMain } from "./args.ts";
import type { CommandSpec, Options, Values } from "./args.ts";
import { errorMessage } from "./admin-client.ts";
import type { AdminResponse } from "./admin-client.ts";

export const commonOptions = {
  url: { type: "string", placeholder: "URL", description: "Provider base URL (default: $AUTHSHARD_URL, else http://127.0.0.1:8787)." },
  json: { type: "boolean", description: "Print the raw JSON response." },
} as const satisfies Options;

export type CommonValues<O extends Options> = Values<O & typeof commonOptions>;

export interface Command {
  summary: string;
  main(argv: string[]): Promise<void>;
}

const TOKEN_NOTE = "The operator token is read from $ADMIN_TOKEN, else from ADMIN_TOKEN in ./.dev.vars.";

/** The parse spec of `npm run <tool> -- <name>`: its options plus the common ones, and help notes. */
export function commandSpec<O extends Options>(tool: string, name: string, summary: string, options: O, notes?: string): CommandSpec<O & typeof commonOptions> {
  return {
    usage: `npm run ${tool} -- ${name} [options]`,
    name,
    summary,
    options: { ...options, ...commonOptions },
    notes: `${notes ? `${notes}\n` : ""}${TOKEN_NOTE}`,
  };
}

/** A command whose whole argv is parsed against its spec. */
export function simpleCommand<O extends Options>(
  tool: string,
  name: string,
  summary: string,
  options: O,
  run: (v: CommonValues<O>) => Promise<void>,
  notes?: string,
): Command {
  const spec = commandSpec(tool, name, summary, options, notes);
  return { summary, main: (argv) => run(parseCommand(spec, argv)) };
}

/** Throws the server's error (or `notFound` for a bare 404) unless the status is one of `ok`. */
export function expectStatus(res: AdminResponse, ok: number[], notFound?: string): void {
  if (ok.includes(res.status)) return;
  const hasDescription = typeof (res.body as { error_description?: unknown } | null)?.error_description === "string";
  if (res.status === 404 && notFound && !hasDescription) throw new CliError(notFound);
  throw new CliError(errorMessage(res));
}

/**
 * The body of an answer with one of the `ok` statuses, as the operator API declares it
 * (its response types, e.g. src/router/endpoints/admin/shard-responses.ts); the server's
 * error otherwise. The one place a JSON answer takes its declared type.
 */
export function okBody<T>(res: AdminResponse, ok: number[]): T {
  expectStatus(res, ok);
  return res.body as T;
}

/** The object under `key` in the response body, or a clear error if the body has none. */
export function bodyObject<T>(res: AdminResponse, key: string): T {
  const value = (res.body as Record<string, unknown> | null)?.[key];
  if (!value || typeof value !== "object") throw new CliError(`unexpected response (HTTP ${res.status}): ${JSON.stringify(res.body)}`);
  return value as T;
}

/** The raw body with --json, else the summary. */
export function print(json: boolean, res: AdminResponse, summary: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(res.body, null, 2) : summary()}\n`);
}

function topHelp(tool: string, commands: Record<string, Command>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const list = Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join("\n");
  return (
    `Usage: npm run ${tool} -- <command> [options]\n\nCommands:\n${list}\n\n` +
    "Common options: --url URL, --json, --help\n" +
    `Run \`npm run ${tool} -- <command> --help\` for a command's options.\n`
  );
}

/**
 * The command argv names and the arguments after it, or "help" for the top-level
 * help. Throws UsageError for a missing or unknown command, listing the real ones.
 */
export function pickCommand(names: readonly string[], argv: readonly string[]): { name: string; rest: string[] } | "help" {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError("missing command");
  if (name === "--help" || name === "-h" || name === "help") return "help";
  if (name.startsWith("-")) throw new UsageError(`expected a command before ${name}`);
  if (!names.includes(name)) throw new UsageError(`unknown command '${name}' (commands: ${names.join(", ")})`);
  return { name, rest };
}

/**
 * Dispatches process.argv to one of the commands: top-level help, a clear error for a
 * missing or unknown command, and usage errors that point at the command's own --help.
 */
export function runCommands(tool: string, commands: Record<string, Command>): void {
  let helpHint = `Run \`npm run ${tool} -- --help\` for usage.`;
  runMain(async () => {
    const picked = pickCommand(Object.keys(commands), process.argv.slice(2));
    if (picked === "help") {
      process.stdout.write(topHelp(tool, commands));
      return;
    }
    helpHint = `Run \`npm run ${tool} -- ${picked.name} --help\` for usage.`;
    await commands[picked.name]!.main(picked.rest);
  }, () => helpHint);
}
