import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./schema/do/directory/tables.ts",
  out: "./schema/do/directory/migrations",
});
