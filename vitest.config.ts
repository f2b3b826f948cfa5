import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// Tests run inside workerd against the real wrangler.jsonc: the router, the actors,
// SQLite-backed Durable Objects and a local D1 with the generated migrations applied.
const d1Migrations = await readD1Migrations("schema/d1/migrations");

/**
 * Which workerd project a test file runs in.
 *
 * By default (every file under test/<feature>/, including new ones) a file runs in the
 * `workers` project: one workerd runtime per vitest worker, shared by the files it runs one
 * after another (isolate: false), so its storage, Durable Objects and per-isolate caches
 * hold what earlier files wrote. Such a file creates its own users, clients and buckets
 * (unique names: createUser(), registerClient()) and asserts on those, never on global counts.
 *
 * A file that needs a pristine world goes in ISOLATED, where each file gets a fresh runtime
 * and storage (~1 s each): it moves buckets or holds the operator's lease (every other
 * file's routing), lists every bucket or user (backups), races the directory's very first
 * map, or depends on a per-isolate cache being empty when it starts.
 */
const ISOLATED = [
  // the first map's creation race, and SHARD_COUNT before any map exists
  "test/foundation/directory.test.ts",
  // a backup, restore or PITR listing covers every bucket of every shard
  "test/backups/**/*.test.ts",
  // bucket moves, the rebalance lease and the map's version: everyone's routing
  "test/rebalance/**/*.test.ts",
  "test/par/move.test.ts",
  // the list of clients whose offline families survive logout is read once per isolate
  "test/lifecycle/logout.test.ts",
  // these wipe the key manager's keys and its rotation alarm (resetKeys), which every other
  // file's tokens, the isolate's key cache and the SAML certificate cache depend on
  "test/keys/jwks.test.ts",
  "test/keys/rotation.test.ts",
  "test/keys/verify.test.ts",
  // counts every row a shard reads and writes while it works: another file's alarms (outbox
  // flush, sweep) on the same shard must not run in the middle
  "test/budgets/hot-path-rows.test.ts",
];

/** More workers than cores: many workerd tests wait on queues, alarms and timers, not the CPU. */
const MAX_WORKERS = 2;

function workersProject(name: string, include: string[], exclude: string[], isolate: boolean): TestProjectInlineConfiguration {
  return {
    // The Cloudflare plugin belongs to these projects only.
    extends: false,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
            // Every test request comes without CF-Connecting-IP, so with the limits on they would
            // all share one counter (ip:unknown) and the suite would trip its own limits. The
            // tests in test/rate-limit turn them on in an env of their own.
            RATE_LIMITS: "off",
            // CIBA's auth_req_id key (a secret: .dev.vars locally, `wrangler secret put` in production).
            CIBA_SECRET: "test-ciba-secret-0123456789abcdef0123456789",
            TEST_D1_MIGRATIONS: d1Migrations,
          },
          // Relying parties' back-channel logout endpoints: every outbound request of the
          // provider goes to this worker (nothing in the tests may reach the network anyway),
          // and tests read what it received through the RP_RECEIVER service binding.
          outboundService: "rp-receiver",
          serviceBindings: { RP_RECEIVER: "rp-receiver" },
          workers: [{ name: "rp-receiver", modules: true, scriptPath: "./test/support/rp-receiver.mjs", compatibilityDate: "2026-10-01" }],
        },
      }),
    ],
    test: {
      name,
      include,
      exclude,
      isolate,
      maxWorkers: MAX_WORKERS,
      setupFiles: ["./test/setup/apply-d1-migrations.ts"],
      testTimeout: 30_000,
    },
  };
}

const NODE_SIDE = ["test/browser/**", "test/load/**", "test/cli/**", "test/architecture/**", "test/federation/**"];

export default defineConfig({
  test: {
    projects: [
      workersProject("workers", ["test/**/*.test.ts"], [...NODE_SIDE, ...ISOLATED], false),
      workersProject("workers-isolated", ISOLATED, NODE_SIDE, true),
      {
        // Node drives headless Chromium against the worker started by wrangler; the
        // load suite's unit tests (scheduling, report arithmetic) and the operator CLI's
        // output formatting run in Node too.
        extends: false,
        test: {
          name: "node",
          environment: "node",
          include: ["test/browser/**/*.test.ts", "test/load/**/*.test.ts", "test/cli/**/*.test.ts", "test/architecture/**/*.test.ts",
            // Federation against real upstreams: two workers under wrangler, from Node.
            "test/federation/**/*.test.ts"],
          // One Chromium for the run, shared by the page tests' harnesses (test/browser/harness.ts).
          globalSetup: ["./test/browser/global-setup.ts"],
          // Files share a Node process per worker (wrangler and playwright load once); each
          // page test still starts its own worker with its own storage.
          isolate: false,
          maxWorkers: MAX_WORKERS,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
