import { applyD1Migrations, env } from "cloudflare:test";

// Before a file's first test: apply the D1 schema the same way
// `wrangler d1 migrations apply` does (a no-op in a runtime whose D1 an earlier file migrated).
await applyD1Migrations(env.DB, env.TEST_D1_MIGRATIONS);
