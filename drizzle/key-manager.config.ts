import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./schema/do/key-manager/tables.ts",
  out: "./schema/do/key-manager/migrations",
});
