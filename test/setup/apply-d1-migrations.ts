import { applyD1Migrations, env } from "cloudflare:test";

// Each test file gets isolated storage; apply the D1 schema the same way
// `wrangler d1 migrations apply` does before any test touches it.
await applyD1Migrations(env.DB, env.TEST_D1_MIGRATIONS);
