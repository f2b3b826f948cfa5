import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Roles, groups and directory attributes of a user (RBAC/ABAC and SCIM provisioning).
// Per bucket and in the table registry (registry.ts), so it moves with its user.

/**
 * One row per user that has any: the role names assigned directly, the ids of the groups
 * the user is a member of, the attributes policy conditions read (department, …), and
 * what SCIM provisioning stored beyond the users row (externalId, displayName, the
 * enterprise extension). Token issuance reads it in the same statement that reads the
 * user (USER_COLUMNS), so roles cost no extra call; `version` is the SCIM ETag.
 */
export const userAccess = sqliteTable(
  "user_access",
  {
    userId: text("user_id").primaryKey(),
    bucket: integer("bucket").notNull(),
    roles: text("roles", { mode: "json" }).$type<string[]>().notNull(),
    groups: text("groups", { mode: "json" }).$type<string[]>().notNull(),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, string>>().notNull(),
    scim: text("scim", { mode: "json" }).$type<Record<string, unknown>>(),
    version: integer("version").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("user_access_bucket").on(t.bucket)],
);
