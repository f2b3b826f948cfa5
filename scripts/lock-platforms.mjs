// Records workerd's macOS and Windows binaries in package-lock.json when the
// registry used to write the lock did not serve them, so that `npm ci` accepts
// the lock on every platform. Entries carry no integrity: npm fetches and
// verifies them only on the platform that needs them. Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const targets = { "darwin-64": ["darwin", "x64"], "darwin-arm64": ["darwin", "arm64"], "windows-64": ["win32", "x64"] };
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  if (!/(^|\/)node_modules\/workerd$/.test(path)) continue;
  const base = path.slice(0, -"workerd".length);
  for (const [suffix, [os, cpu]] of Object.entries(targets)) {
    const name = `@cloudflare/workerd-${suffix}`;
    const version = pkg.optionalDependencies?.[name];
    const at = `${base}${name}`;
    if (!version || lock.packages[at]) continue;
    lock.packages[at] = { version, cpu: [cpu], dev: true, license: "Apache-2.0", optional: true, os: [os], engines: { node: ">=16" } };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(`lock-platforms: ${added} entr${added === 1 ? "y" : "ies"} added`);
