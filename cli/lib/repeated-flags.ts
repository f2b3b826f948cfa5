// Flags given once per value (`--redirect-uri A --redirect-uri B`). lib/args.ts refuses a
// repeated flag, so these are taken out of argv first and the rest is parsed as usual.
import { UsageError } from "./args.ts";

export type Repeated<F extends string> = Record<F, string[]>;

/** Takes every `--flag VALUE` / `--flag=VALUE` of the given flags out of argv. */
export function takeRepeated<F extends string>(argv: readonly string[], flags: readonly F[]): { repeated: Repeated<F>; rest: string[] } {
  const repeated = Object.fromEntries(flags.map((f) => [f, [] as string[]])) as Repeated<F>;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (arg === "--" || !(flags as readonly string[]).includes(flag)) {
      rest.push(arg);
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq < 0 && value.startsWith("-"))) {
      throw new UsageError(`--${flag} needs a value (write --${flag}=VALUE if the value starts with '-')`);
    }
    if (value === "") throw new UsageError(`--${flag} must not be empty`);
    repeated[flag as F].push(value);
  }
  return { repeated, rest };
}
