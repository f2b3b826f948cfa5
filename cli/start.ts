// `npm start`: local secrets, D1 migrations, `wrangler dev`, demo data.
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError, UsageError, parseCommand, runMain } from "./lib/args.ts";
import { adminClient } from "./lib/admin-client.ts";
import { devVarsPath, ensureAdminToken, ensureDevSecret } from "./lib/dev-vars.ts";
import { banner, seedDemo } from "./lib/seed.ts";
import { ROOT, applyLocalMigrations, exitStatus, spawnWrangler } from "./lib/wrangler.ts";

const HOST = "127.0.0.1";
const DEFAULT_PORT = 8787;
const HEALTH_TIMEOUT_MS = 90_000;
const HEALTH_INTERVAL_MS = 500;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

const log = (line: string): void => {
  process.stderr.write(`[start] ${line}\n`);
};

function resolvePort(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === "") return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`PORT must be a port number (1-65535), got '${raw}'`);
  }
  return port;
}

/** Whether HOST:port can be bound (nothing else is serving there). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Creates .dev.vars with an ADMIN_TOKEN if needed; returns the token. */
function prepareSecrets(path: string): string {
  const result = ensureAdminToken(path);
  // CIBA's auth_req_id key (src/router/ciba/ids.ts): a local secret, like the admin token.
  if (ensureDevSecret(path, "CIBA_SECRET")) log(`added a new CIBA_SECRET to ${path}`);
  switch (result.state) {
    case "created":
      log(`created ${path} (mode 0600) with a new ADMIN_TOKEN:`);
      log(`  ADMIN_TOKEN=${result.token}`);
      break;
    case "appended":
      log(`added a new ADMIN_TOKEN to ${path}:`);
      log(`  ADMIN_TOKEN=${result.token}`);
      break;
    case "existing":
      log(`using ADMIN_TOKEN from ${path}`);
      break;
  }
  return result.token;
}

/**
 * Polls /healthz until it answers 200. Resolves with null on success, else
 * with what was last seen (on timeout, or once `stop()` turns true).
 */
async function waitForHealth(base: string, stop: () => boolean): Promise<string | null> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = "no connection";
  while (Date.now() < deadline && !stop()) {
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      if (res.status === 200) return null;
      last = `HTTP ${res.status}`;
    } catch {
      // Not listening yet.
    }
    await sleep(HEALTH_INTERVAL_MS);
  }
  return last;
}

/** The issuer announced by the discovery document, falling back to `base`. */
async function discoveredIssuer(base: string): Promise<string> {
  try {
    const res = await fetch(`${base}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5_000),
    });
    const doc = (await res.json()) as { issuer?: unknown };
    if (res.ok && typeof doc.issuer === "string") return doc.issuer;
  } catch {
    // Fall through: the banner then shows the local URL.
  }
  return base;
}

const SPEC = {
  usage: "npm start",
  summary:
    "Runs the provider locally: creates .dev.vars with an ADMIN_TOKEN if missing, applies the\n" +
    "D1 migrations to the local database, starts `wrangler dev` on 127.0.0.1 and seeds demo\n" +
    "clients and a demo user through the operator API.",
  options: {},
  notes: "Environment: PORT (default 8787); PERSIST_TO: a storage directory of its own (a second local provider, e.g. an upstream to sign in through).",
};

async function main(): Promise<void> {
  parseCommand(SPEC, process.argv.slice(2));
  const port = resolvePort();
  const base = `http://${HOST}:${port}`;
  const varsPath = devVarsPath(ROOT);

  // Checked first: otherwise the health check could reach another server.
  if (!(await portIsFree(port))) {
    throw new CliError(
      `${HOST}:${port} is already in use (another \`npm start\`?); stop it or set PORT to another port`,
    );
  }

  const token = prepareSecrets(varsPath);

  log("applying D1 migrations to the local database");
  // A second local provider (federation's upstream) needs storage of its own: PERSIST_TO.
  const persistTo = process.env.PERSIST_TO?.trim() || undefined;
  const migrated = await applyLocalMigrations(persistTo);
  if (migrated !== 0) {
    const err = new CliError(`D1 migrations failed (wrangler exited with status ${migrated})`);
    err.exitCode = migrated;
    throw err;
  }

  const args = ["dev", "--ip", HOST, "--port", String(port)];
  // wrangler.jsonc sets ISSUER for the default port; keep it in step with PORT.
  if (port !== DEFAULT_PORT) args.push("--var", `ISSUER:${base}`);
  if (persistTo) args.push("--persist-to", persistTo);
  log(`starting wrangler ${args.join(" ")}`);
  const child = spawnWrangler(args);

  let exited = false;
  child.once("error", (err) => {
    log(`cannot start wrangler: ${err.message}`);
    process.exit(1);
  });
  child.once("exit", (code, signal) => {
    exited = true;
    process.exit(exitStatus(code, signal));
  });
  for (const signal of FORWARDED_SIGNALS) {
    process.on(signal, () => {
      if (!exited) child.kill(signal);
    });
  }

  const unhealthy = await waitForHealth(base, () => exited);
  if (unhealthy !== null) {
    if (exited) return;
    log(
      `${base}/healthz did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${unhealthy}); ` +
        "demo data not seeded. Check the wrangler output above. The server keeps running.",
    );
    return;
  }

  const seeded = await seedDemo(adminClient({ url: base, token }), log);
  const issuer = await discoveredIssuer(base);
  process.stdout.write(banner({ base, issuer, devVarsPath: varsPath, seeded }));
}

runMain(main, "Run `npm start -- --help` for usage.");
