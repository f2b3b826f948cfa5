import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside workerd against the real wrangler.jsonc: the router, the actors,
// SQLite-backed Durable Objects and a local D1 with the generated migrations applied.
const d1Migrations = await readD1Migrations("schema/d1/migrations");

export default defineConfig({
  test: {
    projects: [
      {
        // The Cloudflare plugin belongs to this project only.
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
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**", "test/load/**", "test/cli/**", "test/architecture/**",
            // Federation against real upstreams: two workers under wrangler, from Node.
            "test/federation/**"],
          setupFiles: ["./test/setup/apply-d1-migrations.ts"],
          testTimeout: 30_000,
        },
      },
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
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
