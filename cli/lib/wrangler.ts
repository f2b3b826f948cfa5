// Running the project's own wrangler with the Node binary that runs this
// script (node_modules/.bin/wrangler would pick whatever `node` is on PATH).
import { spawn } from "node:child_process";
import type { ChildProcess, StdioOptions } from "node:child_process";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the directory holding wrangler.jsonc). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const WRANGLER_JS = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

export interface WranglerOptions {
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** Own process group, so the child can outlive this process (see ChildProcess.unref). */
  detached?: boolean;
}

export function spawnWrangler(args: string[], opts: WranglerOptions = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER_JS, ...args], {
    cwd: ROOT,
    env: opts.env ?? process.env,
    stdio: opts.stdio ?? "inherit",
    detached: opts.detached ?? false,
  });
}

/** Shell-style exit status for a child that ended with `code` or `signal`. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const num = signal ? constants.signals[signal] : undefined;
  return num ? 128 + num : 1;
}

/** Runs wrangler to completion and resolves with its exit status. */
export function runWrangler(args: string[], opts: WranglerOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(args, opts);
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(exitStatus(code, signal)));
  });
}

/**
 * Applies the D1 migrations to the local database used by `wrangler dev`.
 * Wrangler asks for confirmation only when interactive: stdin is detached
 * and CI=true is set so it never waits for an answer.
 */
export function applyLocalMigrations(persistTo?: string): Promise<number> {
  return runWrangler(["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])], {
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "inherit", "inherit"],
  });
}
