import type { AuditRecord } from "./message";

/**
 * The recent window of the audit trail in D1 `audit_log`, for the operator API's per-user
 * view. Events arrive only through the audit queue's consumer, in batches; INSERT OR IGNORE
 * on the event id makes a redelivered event a no-op.
 */

/** Events per statement: one JSON parameter each, well under D1's statement and value limits. */
const EVENTS_PER_STATEMENT = 200;

const INSERT = `INSERT OR IGNORE INTO audit_log (id, at, type, user_id, client_id, bucket, shard, data)
SELECT json_extract(value, '$.id'), json_extract(value, '$.at'), json_extract(value, '$.type'),
       json_extract(value, '$.user_id'), json_extract(value, '$.client_id'), json_extract(value, '$.bucket'),
       json_extract(value, '$.shard'), coalesce(json_extract(value, '$.data'), '{}')
FROM json_each(?)`;

export function windowStart(now: number, retentionDays: number): number {
  return now - retentionDays * 86_400_000;
}

/** Inserts the events young enough for the window (older ones live only in the archive). Returns how many were in range. */
export async function insertIntoWindow(db: D1Database, records: readonly AuditRecord[], since: number): Promise<number> {
  const recent = records.filter((r) => r.at >= since);
  if (recent.length === 0) return 0;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < recent.length; i += EVENTS_PER_STATEMENT) {
    statements.push(db.prepare(INSERT).bind(JSON.stringify(recent.slice(i, i + EVENTS_PER_STATEMENT))));
  }
  await db.batch(statements);
  return recent.length;
}

/** Rows deleted per statement, and statements per run: a bounded amount of work per cron tick. */
export const RETENTION_BATCH = 5_000;
export const RETENTION_MAX_BATCHES = 20;

/**
 * Deletes window rows older than `before`, oldest first, in bounded batches (each one D1
 * statement over the `audit_log_at` index), so a backlog of deletions never becomes one
 * statement that holds the database. Returns how many went and whether more are left.
 */
export async function trimWindow(db: D1Database, before: number, batch = RETENTION_BATCH, maxBatches = RETENTION_MAX_BATCHES): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const result = await db
      .prepare("DELETE FROM audit_log WHERE rowid IN (SELECT rowid FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)")
      .bind(before, batch)
      .run();
    const n = result.meta.changes ?? 0;
    deleted += n;
    if (n < batch) return { deleted, more: false };
  }
  return { deleted, more: true };
}
