import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Tables of ShardDirectoryActor: the versioned bucket → shard map. */

/**
 * One row per bucket (4096). `epoch` grows each time the bucket changes owner.
 * `changed_version` is the map version that last changed the row, so a push can
 * send a shard only what changed since its previous one.
 */
export const buckets = sqliteTable(
  "buckets",
  {
    bucket: integer("bucket").primaryKey(),
    shard: text("shard").notNull(),
    epoch: integer("epoch").notNull(),
    // active | fenced
    state: text("state").notNull(),
    changedVersion: integer("changed_version").notNull().default(0),
  },
  (t) => [index("buckets_changed").on(t.changedVersion)],
);

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

/**
 * Bucket moves, one row per move. `step` is written before the step is taken
 * (planned → copying → fenced → verified → flipped → done, or rolling_back →
 * rolled_back), so a driver that crashed can be resumed from the row alone.
 * At most one open move per bucket.
 */
export const moves = sqliteTable(
  "moves",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    bucket: integer("bucket").notNull(),
    fromShard: text("from_shard").notNull(),
    toShard: text("to_shard").notNull(),
    step: text("step").notNull(),
    // Moves created together by one rebalance share this id.
    planId: text("plan_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    fencedAt: integer("fenced_at"),
    // Writes to the bucket were refused this long (fence written → new owner acknowledged).
    fenceMs: integer("fence_ms"),
    rowsCopied: integer("rows_copied").notNull().default(0),
    users: integer("users"),
    // JSON: per table row count and SHA-256, as verified on both shards.
    checksum: text("checksum"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    // The lease holder that last drove the move.
    holder: text("holder"),
  },
  (t) => [
    uniqueIndex("moves_open_bucket").on(t.bucket).where(sql`step NOT IN ('done', 'rolled_back')`),
    index("moves_step").on(t.step),
  ],
);

/** Operator leases: whoever holds `moves` may start and drive bucket moves until `expires_at`. */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  acquiredAt: integer("acquired_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * Backups to R2 (`npm run shards -- backup`) while they run: one row per backup, and one
 * per bucket that held rows when it started. Each bucket row is filled in when its shard
 * has written the bucket's object; `finish` writes the manifest to R2 from these rows
 * and then deletes them (the manifest is the record; the summary row stays for `backups`).
 */
export const backups = sqliteTable("backups", {
  id: text("id").primaryKey(),
  // running | complete
  state: text("state").notNull(),
  createdAt: integer("created_at").notNull(),
  finishedAt: integer("finished_at"),
  mapVersion: integer("map_version").notNull(),
  buckets: integer("buckets").notNull(),
  rows: integer("rows"),
  users: integer("users"),
  bytes: integer("bytes"),
});

export const backupBuckets = sqliteTable(
  "backup_buckets",
  {
    backupId: text("backup_id").notNull(),
    bucket: integer("bucket").notNull(),
    // The owner that wrote the object (null until then).
    shard: text("shard"),
    key: text("key"),
    bytes: integer("bytes"),
    sha256: text("sha256"),
    // JSON: per table row count and SHA-256 of the rows as they were read.
    checksum: text("checksum"),
    rows: integer("rows"),
    users: integer("users"),
    takenAt: integer("taken_at"),
  },
  (t) => [primaryKey({ columns: [t.backupId, t.bucket] })],
);
