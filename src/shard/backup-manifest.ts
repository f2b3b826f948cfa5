/**
 * Backups of shard data in R2: backup ids, object keys, and the manifest that lists
 * what a backup holds. Pure: the directory writes and reads manifests, shards write
 * and read the bucket objects, the operator API and the CLI show them. Every import
 * is spelled with .ts so the CLI (Node type stripping) can import this file as it is.
 */
import type { BucketChecksum } from "../actors/user-shard/api.ts";

export const MANIFEST_FORMAT = "authshard-backup/1";
export const BACKUP_PREFIX = "backups/";

/**
 * Ids sort in time order (a UTC timestamp to the second, then 6 random hex digits
 * for two backups started in the same second): the newest backup is the last key.
 */
const BACKUP_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function newBackupId(now: number, random: () => number = Math.random): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  const suffix = Math.floor(random() * 0x1000000).toString(16).padStart(6, "0");
  return `${stamp}-${suffix}`;
}

export function isBackupId(value: unknown): value is string {
  return typeof value === "string" && BACKUP_ID.test(value);
}

export function manifestKey(backupId: string): string {
  return `${BACKUP_PREFIX}${backupId}/manifest.json`;
}

/** One object per bucket; the padded number keeps a listing in bucket order. */
export function bucketKey(backupId: string, bucket: number): string {
  return `${BACKUP_PREFIX}${backupId}/bucket-${String(bucket).padStart(4, "0")}.ndjson.gz`;
}

/** A bucket in a backup: where its object is, what it holds, and how to check both. */
export interface ManifestBucket {
  bucket: number;
  /** The shard that owned the bucket and wrote the object. */
  shard: string;
  key: string;
  /** Size and SHA-256 (hex) of the stored object, gzip bytes as they are in R2. */
  bytes: number;
  sha256: string;
  /** When the shard read the bucket (epoch ms): every row in the object is of this instant. */
  taken_at: number;
  rows: number;
  users: number;
  /** Per table: row count and SHA-256 of the rows, as `shards verify` computes them. */
  tables: BucketChecksum;
}

export interface BackupTotals {
  /** Buckets with an object; the others held no rows when the backup listed them. */
  buckets: number;
  empty_buckets: number;
  rows: number;
  users: number;
  bytes: number;
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  backup_id: string;
  /** Epoch ms. */
  created_at: number;
  finished_at: number;
  /** The map version when the backup started (owners may have changed while it ran). */
  map_version: number;
  bucket_count: number;
  /** Each bucket is a consistent snapshot of itself at its `taken_at`; the backup as a whole is not one instant. */
  consistency: "per-bucket";
  totals: BackupTotals;
  buckets: ManifestBucket[];
}

/** One line of a listing: a finished backup (from its manifest), or one still running or abandoned. */
export interface BackupSummary {
  backup_id: string;
  state: "complete" | "running" | "incomplete";
  created_at: number;
  finished_at: number | null;
  map_version: number | null;
  totals: BackupTotals | null;
}

/** What a manifest object carries in its R2 custom metadata, so a listing need not read manifests. */
export function summaryMetadata(manifest: BackupManifest): Record<string, string> {
  return {
    created_at: String(manifest.created_at),
    finished_at: String(manifest.finished_at),
    map_version: String(manifest.map_version),
    totals: JSON.stringify(manifest.totals),
  };
}

export function summaryFromMetadata(backupId: string, meta: Record<string, string> | undefined): BackupSummary {
  const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : null);
  let totals: BackupTotals | null = null;
  try {
    totals = meta?.totals ? (JSON.parse(meta.totals) as BackupTotals) : null;
  } catch {
    totals = null;
  }
  return {
    backup_id: backupId,
    state: "complete",
    created_at: number(meta?.created_at) ?? 0,
    finished_at: number(meta?.finished_at),
    map_version: number(meta?.map_version),
    totals,
  };
}

/** The manifest in `text`, or why it is not one. */
export function parseManifest(text: string): BackupManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "the manifest is not JSON";
  }
  const m = value as Partial<BackupManifest> | null;
  if (!m || typeof m !== "object" || m.format !== MANIFEST_FORMAT) return `the manifest is not in format ${MANIFEST_FORMAT}`;
  if (!isBackupId(m.backup_id) || !Array.isArray(m.buckets)) return "the manifest has no backup id or bucket list";
  const bad = m.buckets.findIndex((b) => !validBucket(b));
  if (bad >= 0) return `bucket entry ${bad} of the manifest is malformed`;
  return m as BackupManifest;
}

function validBucket(b: Partial<ManifestBucket> | null): boolean {
  if (!b || typeof b !== "object") return false;
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  return (
    int(b.bucket) && int(b.bytes) && int(b.rows) && typeof b.shard === "string" && typeof b.key === "string" &&
    typeof b.sha256 === "string" && /^[0-9a-f]{64}$/.test(b.sha256) && !!b.tables && typeof b.tables === "object" &&
    Object.values(b.tables).every((t) => int(t?.rows) && typeof t?.sha256 === "string")
  );
}
