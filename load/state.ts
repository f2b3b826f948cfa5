// What the seeder keeps between runs, per target, under load/.state/ (git-ignored):
// the load client's secret, the users it created and the session cookie of each
// virtual user. Passwords are not stored one by one: each is derived from the
// state's secret and the email, so the file stays small and a lost file means
// lost passwords for a provider that keeps its users elsewhere (documented).
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const LOAD_DIR = fileURLToPath(new URL(".", import.meta.url));
export const STATE_DIR = join(LOAD_DIR, ".state");

export interface SeededUser {
  email: string;
  userId: string;
  bucket: number;
  shard: string | null;
}

export interface LoadState {
  version: 1;
  target: string;
  secret: string;
  clientSecret: string;
  /** users[i] is the user of virtual user i. */
  users: SeededUser[];
  /** email → Cookie header value carrying the user's session. */
  sessions: Record<string, string>;
}

export function statePath(target: string): string {
  const url = new URL(target);
  return join(STATE_DIR, `${url.hostname.replace(/[^A-Za-z0-9.-]/g, "_")}_${url.port || url.protocol.replace(":", "")}.json`);
}

export function loadState(path: string, target: string): LoadState {
  if (existsSync(path)) {
    const state = JSON.parse(readFileSync(path, "utf8")) as LoadState;
    if (state.version === 1 && state.target === target) return state;
  }
  return { version: 1, target, secret: randomBytes(32).toString("base64url"), clientSecret: randomBytes(24).toString("base64url"), users: [], sessions: {} };
}

/** Written to a temporary file first, so an interrupted seeder never leaves half a file. */
export function saveState(path: string, state: LoadState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, path);
}

export function emailOf(index: number): string {
  return `load-${String(index).padStart(6, "0")}@load.example.com`;
}

export function passwordOf(state: LoadState, email: string): string {
  return createHmac("sha256", state.secret).update(email).digest("base64url").slice(0, 24);
}
