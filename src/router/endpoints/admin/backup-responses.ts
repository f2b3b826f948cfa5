/**
 * The JSON bodies the operator API answers under /admin/backups (and the shard
 * rollback under /admin/shards): each route checks what it sends against these
 * (`satisfies`), and the shards CLI reads its answers as these. Types only, every
 * import spelled with .ts, so the CLI (Node type stripping) can import this file.
 */
import type { BackupStarted, BucketRestoreReport, FinishedBackup, ShardRollbackReport } from "../../../actors/directory/api.ts";
import type { BackupManifest, BackupSummary, ManifestBucket } from "../../../shard/backup-manifest.ts";

/** GET /admin/backups */
export interface BackupListResponse {
  backups: BackupSummary[];
}
/** POST /admin/backups → 201 */
export type BackupStartResponse = BackupStarted;
/** POST /admin/backups/:id/buckets/:bucket */
export interface BackupBucketResponse {
  entry: ManifestBucket;
}
/** POST /admin/backups/:id/finish */
export type BackupFinishResponse = FinishedBackup;
/** GET /admin/backups/:id */
export type BackupManifestResponse = BackupManifest;
/**
 * POST /admin/backups/:id/restore: the restored bucket, and the D1 email index put
 * back for its users (`conflicts`: addresses the index gives to someone else).
 */
export type RestoreResponse = Omit<BucketRestoreReport, "emails"> & {
  email_index: { users: number; added: number; conflicts: Array<{ email: string; user_id: string; held_by: string | null }>; error?: string };
};
/** POST /admin/shards/:shard/pitr */
export type RollbackResponse = ShardRollbackReport;

export type { BackupManifest, BackupSummary, ManifestBucket } from "../../../shard/backup-manifest.ts";
