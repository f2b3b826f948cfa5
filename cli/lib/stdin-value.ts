import { UsageError } from "./args.ts";

/**
 * A secret flag's value, or standard input (without the final newline) when the
 * value is "-": keeps passwords and client secrets out of shell history.
 */
export async function valueOrStdin(value: string, flag: string, what: string): Promise<string> {
  if (value !== "-") return value;
  if (process.stdin.isTTY) throw new UsageError(`${flag} - reads standard input; pipe the ${what} in`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (text === "") throw new UsageError(`empty ${what} on standard input`);
  return text;
}
