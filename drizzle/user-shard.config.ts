import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: ["./schema/do/user-shard/tables.ts", "./schema/do/user-shard/flow-tables.ts", "./schema/do/user-shard/sign-in-tables.ts", "./schema/do/user-shard/ldap-tables.ts", "./schema/do/user-shard/access-tables.ts", "./schema/do/user-shard/federation-tables.ts", "./schema/do/user-shard/passkey-tables.ts", "./schema/do/user-shard/saml-tables.ts"],
  out: "./schema/do/user-shard/migrations",
});
