import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Tables of ShardDirectoryActor: the versioned bucket → shard map. */

/** One row per bucket (4096). `epoch` grows each time the bucket changes owner. */
export const buckets = sqliteTable("buckets", {
  bucket: integer("bucket").primaryKey(),
  shard: text("shard").notNull(),
  epoch: integer("epoch").notNull(),
  // active | fenced
  state: text("state").notNull(),
});

/** The single map row: version (bumped on every change) and the ordered shard list. */
export const mapMeta = sqliteTable("map_meta", {
  id: integer("id").primaryKey(),
  version: integer("version").notNull(),
  shards: text("shards", { mode: "json" }).$type<string[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The map version each shard has acknowledged; a shard behind the map gets a push. */
export const shardSync = sqliteTable("shard_sync", {
  shard: text("shard").primaryKey(),
  ackedVersion: integer("acked_version").notNull(),
});
