// Text for `npm run shards -- backup | backups | restore | pitr`, from the operator
// API's answers as it declares them (src/router/endpoints/admin/backup-responses.ts).
import type { BackupFinishResponse, BackupSummary, RollbackResponse } from "../../src/router/endpoints/admin/backup-responses.ts";
import type { BackupRun, BucketFailure, RestoreRun } from "./backup-runner.ts";
import { formatBytes } from "./backup-runner.ts";
import { duration } from "./move-runner.ts";
import { table } from "./shard-format.ts";

const n = (value: number) => value.toLocaleString("en-US");
/** "1 bucket", "2 buckets". */
const count = (value: number, noun: string, plural = `${noun}s`) => `${n(value)} ${value === 1 ? noun : plural}`;
const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function formatBackup(finished: BackupFinishResponse, run: BackupRun): string {
  const t = finished.totals;
  const rate = run.seconds > 0 ? ` (${(t.buckets / run.seconds).toFixed(1)} buckets/s)` : "";
  return [
    `backup ${finished.backup_id}: ${count(t.buckets, "bucket")} with rows (${n(t.empty_buckets)} empty), ${count(t.users, "user")}, ${count(t.rows, "row")}, ${formatBytes(t.bytes)} in ${duration(run.seconds)}${rate}`,
    `manifest: ${finished.manifest_key} (map version ${finished.map_version})`,
    "each bucket is a consistent snapshot of itself; the backup as a whole is not one instant",
  ].join("\n");
}

/** A backup that could not be finished: what failed, and that nothing was lost by trying. */
export function formatBackupFailures(backupId: string, run: BackupRun): string {
  return [
    `backup ${backupId}: ${run.entries.length} buckets backed up, ${run.failed.length} failed; no manifest written, so no restore will use it`,
    failureTable(run.failed),
    "run `npm run shards -- backup` again (a new backup; this one is listed as running, then dropped after a day)",
  ].join("\n");
}

export function formatRestore(backupId: string, run: RestoreRun): string {
  const fresh = run.restored.filter((r) => r.outcome === "restored").length;
  const again = run.restored.length - fresh;
  const rows = run.restored.reduce((sum, r) => sum + r.rows, 0);
  const users = run.restored.reduce((sum, r) => sum + r.users, 0);
  const added = run.restored.reduce((sum, r) => sum + r.email_index.added, 0);
  const conflicts = run.restored.flatMap((r) => r.email_index.conflicts);
  const indexErrors = run.restored.filter((r) => r.email_index.error);
  const total = run.restored.length + run.failed.length;
  const lines = [
    `restore from ${backupId}: ${count(total, "bucket")}: ${n(fresh)} restored, ${n(again)} already restored, ${n(run.failed.length)} failed in ${duration(run.seconds)}; ${count(users, "user")}, ${count(rows, "row")}`,
  ];
  if (run.restored.length > 0) {
    lines.push(`checksums equal to the manifest's for all ${count(run.restored.length, "restored bucket")}`);
    const handed = run.restored.filter((r) => r.previous_owner);
    if (handed.length > 0) lines.push(`${count(handed.length, "bucket")} changed owner: ${summarizeMoves(handed.map((r) => [r.previous_owner!, r.shard]))}`);
    lines.push(`email index: ${count(added, "address", "addresses")} added back${conflicts.length ? `, ${n(conflicts.length)} held by another user (not changed)` : ""}`);
  }
  if (conflicts.length > 0) lines.push(table(["email", "restored user", "index says"], conflicts.slice(0, 20).map((c) => [c.email, c.user_id, c.held_by ?? "(this user under another email)"])));
  if (indexErrors.length > 0) lines.push(`the email index could not be updated for ${indexErrors.length} buckets (${indexErrors[0]!.email_index.error}); restore them again to retry`);
  if (run.failed.length > 0) lines.push(failureTable(run.failed), hint(run.failed));
  return lines.join("\n");
}

export function formatBackups(backups: readonly BackupSummary[]): string {
  if (backups.length === 0) return "no backups yet: `npm run shards -- backup` makes one";
  return table(
    ["backup", "state", "created", "buckets", "users", "rows", "size"],
    backups.map((b) => [b.backup_id, b.state, when(b.created_at), b.totals?.buckets ?? -1, b.totals?.users ?? -1, b.totals?.rows ?? -1, b.totals ? formatBytes(b.totals.bytes) : "?"]),
  );
}

export function formatRollback(r: RollbackResponse): string {
  const target = r.at !== null ? `its state at ${when(r.at)}` : `bookmark ${r.bookmark}`;
  const lines = [
    `${r.shard} rolled back to ${target}: restore scheduled, shard restarted, current map pushed to it`,
    `to undo: npm run shards -- pitr --shard ${r.shard} --bookmark ${r.undo_bookmark}`,
  ];
  if (r.moves_since.length > 0) {
    lines.push(`${r.moves_since.length} bucket moves touched ${r.shard} since then (forced): buckets it received are empty there now, buckets it gave away left stray rows`);
    lines.push("restore the received buckets from a backup (restore --bucket B), then `verify` and drop strays by finishing moves");
  }
  lines.push("then: npm run shards -- verify");
  return lines.join("\n");
}

function failureTable(failed: readonly BucketFailure[]): string {
  const shown = table(["bucket", "error", "message"], failed.slice(0, 20).map((f) => [String(f.bucket), f.error, f.message]));
  return failed.length > 20 ? `${shown}\n... and ${failed.length - 20} more (--json lists them all)` : shown;
}

const TRANSIENT = new Set(["network", "temporarily_unavailable", "lease_held", "map_changed", "restore_mismatch"]);

/** What to do about the refusals seen. */
function hint(failed: readonly BucketFailure[]): string {
  const codes = new Set(failed.map((f) => f.error));
  const hints: string[] = [];
  if (codes.has("bucket_not_empty")) hints.push("buckets that hold rows are refused: check them, then --force replaces their rows with the backup's");
  if (codes.has("backup_corrupt")) hints.push("objects that differ from the manifest cannot be used: restore those buckets from another backup");
  if (codes.has("move_open")) hints.push("buckets with open moves: `npm run shards -- resume` first");
  if (codes.has("not_found")) hints.push("the backup holds no rows of those buckets: they were empty when it was taken");
  if ([...codes].some((c) => TRANSIENT.has(c) || c.startsWith("http_5"))) hints.push("run the same restore again: restored buckets are left as they are");
  return hints.join("\n");
}

/** "shard-0 → shard-2 ×12, shard-1 → shard-2 ×3". */
function summarizeMoves(pairs: ReadonlyArray<[string, string]>): string {
  const counts = new Map<string, number>();
  for (const [from, to] of pairs) counts.set(`${from} → ${to}`, (counts.get(`${from} → ${to}`) ?? 0) + 1);
  return [...counts].map(([pair, k]) => `${pair} ×${k}`).join(", ");
}
