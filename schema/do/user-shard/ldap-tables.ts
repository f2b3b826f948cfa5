import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// LDAP / Active Directory: what the directory says about a user it owns. Per bucket and in
// the table registry (registry.ts), so it moves with the user.

/**
 * The directory entry behind a user signed in or synced from LDAP/AD: its DN, the groups
 * it is a member of and the role names LDAP_GROUP_ROLES maps them to (JSON arrays, as read
 * at the last sign-in or sync), and whether the directory disabled or removed it. The roles
 * are also in user_access.roles; kept here, they say which of those the directory gave, so the
 * next sign-in or sync replaces only them.
 */
export const ldapLinks = sqliteTable(
  "ldap_links",
  {
    userId: text("user_id").primaryKey(),
    bucket: integer("bucket").notNull(),
    dn: text("dn").notNull(),
    groups: text("groups").notNull(),
    roles: text("roles").notNull(),
    // active | disabled (the directory's disabled attribute) | removed (gone from the directory at a sync)
    state: text("state").notNull(),
    syncedAt: integer("synced_at").notNull(),
  },
  (t) => [index("ldap_links_bucket").on(t.bucket)],
);
