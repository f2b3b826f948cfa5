// Runs `npm run shards -- <args> --json` against a benchmark's provider, as an operator
// would; its progress goes to stderr. Used by load:rebalance and load:backup.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../cli/lib/wrangler.ts";

/** The command's JSON answer; a non-zero exit rejects unless `tolerated` lists the command (it reports its own failures). */
export function runShardsCli(base: string, token: string, args: string[], tolerated: readonly string[] = ["verify"]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "cli", "shards.ts"), ...args, "--url", base, "--json"], {
      env: { ...process.env, ADMIN_TOKEN: token },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      try {
        const parsed: unknown = JSON.parse(out);
        if (code !== 0 && !tolerated.includes(args[0]!)) return reject(new Error(`shards ${args.join(" ")} exited ${code}: ${out.slice(0, 500)}`));
        resolve(parsed);
      } catch {
        reject(new Error(`shards ${args.join(" ")} exited ${code} without JSON: ${out.slice(0, 500)}`));
      }
    });
  });
}
