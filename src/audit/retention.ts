import { loadConfig } from "../config";
import type { Env } from "../env";
import { trimWindow, windowStart } from "./window";

/**
 * The cron job: deletes D1 audit rows older than AUDIT_RETENTION_DAYS, a bounded batch per
 * run (the archive in R2 keeps them). A backlog larger than one run is finished by the
 * following runs; the log line says so.
 */
export async function runAuditRetention(env: Env, now = Date.now()): Promise<{ deleted: number; more: boolean }> {
  const config = loadConfig(env);
  const result = await trimWindow(env.DB, windowStart(now, config.auditRetentionDays));
  if (result.deleted > 0 || result.more) {
    console.log(JSON.stringify({ level: "info", event: "audit.retention", deleted: result.deleted, more: result.more, retention_days: config.auditRetentionDays }));
  }
  return result;
}
