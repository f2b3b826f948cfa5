// Reading and creating the `.dev.vars` file that `wrangler dev` loads as
// local secrets. Only the simple KEY=value subset of dotenv is understood.
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DEV_VARS = ".dev.vars";

export function devVarsPath(dir: string = process.cwd()): string {
  return join(dir, DEV_VARS);
}

/** Contents of the file, or undefined when it does not exist. */
export function readDevVarsFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Value of `name` in dotenv-style text (last assignment wins), if present. */
export function parseDevVar(text: string, name: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0 || line.slice(0, eq).trim() !== name) continue;
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    found = value;
  }
  return found;
}

/** Value of `name` in the `.dev.vars` file at `path`, if the file and the key exist. */
export function readDevVar(path: string, name: string): string | undefined {
  const text = readDevVarsFile(path);
  return text === undefined ? undefined : parseDevVar(text, name) || undefined;
}

/** 32 random bytes, base64url-encoded (43 characters). */
export function newAdminToken(): string {
  return randomBytes(32).toString("base64url");
}

export type EnsureResult =
  | { state: "created"; token: string }
  | { state: "appended"; token: string }
  | { state: "existing"; token: string };

/**
 * Makes sure `.dev.vars` at `path` holds an ADMIN_TOKEN. A missing file is
 * created with mode 0600; an existing file without the key gets a line
 * appended; an existing token is left alone.
 */
export function ensureAdminToken(path: string): EnsureResult {
  const text = readDevVarsFile(path);
  if (text === undefined) {
    const token = newAdminToken();
    const body =
      "# Local secrets for `wrangler dev`; never commit this file.\n" +
      "# Bearer token for the operator API (/admin/*) used by `npm run users`.\n" +
      `ADMIN_TOKEN=${token}\n`;
    // "wx": fail instead of overwriting if the file appeared meanwhile.
    writeFileSync(path, body, { mode: 0o600, flag: "wx" });
    return { state: "created", token };
  }
  const existing = parseDevVar(text, "ADMIN_TOKEN");
  if (existing) return { state: "existing", token: existing };
  const token = newAdminToken();
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${sep}ADMIN_TOKEN=${token}\n`);
  return { state: "appended", token };
}

/**
 * Makes sure `.dev.vars` at `path` (created by ensureAdminToken first) holds `name`, a new
 * random secret if it had none (CIBA_SECRET: the key of local auth_req_ids). True when added.
 */
export function ensureDevSecret(path: string, name: string): boolean {
  const text = readDevVarsFile(path) ?? "";
  if (parseDevVar(text, name)) return false;
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${sep}${name}=${newAdminToken()}\n`, { mode: 0o600 });
  return true;
}
