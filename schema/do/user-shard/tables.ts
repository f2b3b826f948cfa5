import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Tables of UserShardActor. Every per-user table carries a `bucket` column and is
 * listed in `registry.ts`, which is what the bucket mover walks.
 */

/** Fencing: the buckets this shard owns, as pushed by the directory. */
export const ownedBuckets = sqliteTable("owned_buckets", {
  bucket: integer("bucket").primaryKey(),
  epoch: integer("epoch").notNull(),
  // active | fenced (writes answer bucket_moving)
  state: text("state").notNull(),
});

/** Single-row facts about this shard: its name and the map version it last applied. */
export const shardMeta = sqliteTable("shard_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    bucket: integer("bucket").notNull(),
    email: text("email").notNull(),
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    name: text("name"),
    givenName: text("given_name"),
    familyName: text("family_name"),
    disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("users_bucket").on(t.bucket)],
);

export const credentials = sqliteTable(
  "credentials",
  {
    userId: text("user_id").notNull(),
    type: text("type").notNull(), // "password"
    bucket: integer("bucket").notNull(),
    // Self-describing verifier, e.g. pbkdf2-sha256$100000$<salt>$<hash>
    secret: text("secret").notNull(),
    failedCount: integer("failed_count").notNull().default(0),
    lastFailedAt: integer("last_failed_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.type] }), index("credentials_bucket").on(t.bucket)],
);

/** Audit events written in the same transaction as the change they describe. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    bucket: integer("bucket").notNull(),
    type: text("type").notNull(),
    userId: text("user_id"),
    clientId: text("client_id"),
    data: text("data").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("outbox_bucket").on(t.bucket), index("outbox_at").on(t.at)],
);
