/**
 * The user shard's contract, part 2: the rows of a bucket as the mover, the verifier and
 * backups see them (pages, deltas, checksums), backups and restores, point-in-time recovery.
 */
import type { ShardBucketState } from "../../results.ts";

/** What a shard holds in a range of buckets: content checksums and its ownership rows. */
export interface BucketInventory {
  buckets: Array<{ bucket: number; checksum: BucketChecksum }>;
  held: Array<[number, number, ShardBucketState]>;
}

/** What a shard wrote for one bucket of a backup: the object, and the rows it holds. */
export interface BucketBackup {
  key: string;
  bytes: number;
  /** SHA-256 (hex) of the object's bytes as stored. */
  sha256: string;
  /** Of the rows exactly as written to the object (same transaction). */
  checksum: BucketChecksum;
  rows: number;
  users: number;
  /** When the rows were read (epoch ms). */
  takenAt: number;
}

/** One bucket to restore, as the backup's manifest describes its object. */
export interface RestoreInput {
  bucket: number;
  key: string;
  sha256: string;
  bytes: number;
  /** The manifest's checksum of the bucket: the restored rows must have exactly this one. */
  checksum: BucketChecksum;
  /** Delete the rows the bucket holds here first (otherwise a bucket with rows is refused). */
  force: boolean;
}

/** A restored user's id and email: the operator API puts them back in the D1 email index. */
export type RestoredUser = [id: string, email: string];

export type RestoreOutcome =
  | { outcome: "restored"; rows: number; replaced: number; checksum: BucketChecksum; users: RestoredUser[] }
  /** The bucket already holds exactly the backup's rows (a restore run again): nothing written. */
  | { outcome: "already_restored"; rows: number; checksum: BucketChecksum; users: RestoredUser[] }
  /** The bucket holds other rows; nothing written. */
  | { outcome: "not_empty"; rows: number }
  /** The object is missing, differs from the manifest (size, SHA-256) or cannot be read; nothing written. */
  | { outcome: "corrupt"; detail: string }
  /** Imported, but the rows' checksum is not the manifest's (the listed tables differ). */
  | { outcome: "mismatch"; tables: string[]; checksum: BucketChecksum };

/** How far back Durable Object point-in-time recovery reaches. */
export const PITR_WINDOW_MS = 30 * 24 * 3_600_000;

/** Where a point-in-time recovery goes: a time within the last 30 days, or a bookmark (e.g. one to undo a rollback). */
export type RollbackTarget = { at: number } | { bookmark: string };

export type RollbackScheduled =
  /** `undo` is the bookmark of the state before the rollback: scheduling it undoes the rollback. */
  | { outcome: "scheduled"; bookmark: string; undo: string }
  /** This runtime keeps no history (local workerd / miniflare). */
  | { outcome: "unavailable"; detail: string };

/** Where a bulk copy stands: the table it is in and the primary key of the last row sent. */
export interface CopyCursor {
  table: string;
  afterKey: Value[] | null;
}

export interface TablePage {
  table: string;
  columns: string[];
  rows: Row[];
}

/** Up to `limit` rows of a bucket, across tables in registry order; `next` is null when all are sent. */
export interface BucketPage {
  pages: TablePage[];
  next: CopyCursor | null;
}

/** Rows to write and primary keys (JSON) to delete, per table. */
export interface BucketDelta {
  upserts: Record<string, Row[]>;
  deletes: Record<string, string[]>;
}

/**
 * Content checksums of a bucket's rows, identical on any shard that holds the same
 * rows: per table, the row count and a SHA-256 over the rows' canonical JSON (see
 * bucket-rows.ts) in primary-key order, one per line. The mover compares them on
 * source and target before it hands a bucket over; `verify` compares them across shards.
 */
export interface TableChecksum {
  rows: number;
  sha256: string;
}

export type BucketChecksum = Record<string, TableChecksum>;

/**
 * A table's rows as primary key (JSON) and a 53-bit hash of the content: enough for
 * the mover to find which rows differ between two shards without shipping them.
 * (A hash collision would hide a change from the diff, never from the SHA-256
 * comparison that follows it.)
 */
export interface TableDigest {
  keys: string[];
  hashes: number[];
}

export type BucketDigest = Record<string, TableDigest>;

/**
 * Generic row access for the bucket mover. Everything here is driven by the
 * per-user table registry, so a table added there is copied, verified and dropped
 * with its bucket without new mover code. Raw SQL on `ctx.storage.sql`: the table
 * names come from the registry (never from the caller), values are always bound.
 */

/** A SQLite value as Durable Object storage holds it (workers' SqlStorageValue, spelled out so the contract reads the same in Node). */
export type Value = ArrayBuffer | string | number | null;

export type Row = Value[];
