import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./schema/do/user-shard/tables.ts",
  out: "./schema/do/user-shard/migrations",
});
