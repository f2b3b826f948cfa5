import { fail, ok, type ShardResult } from "../results";
import { PITR_WINDOW_MS, type RollbackScheduled, type RollbackTarget } from "./api";

/**
 * Point-in-time recovery of the whole shard (SQLite-backed Durable Objects keep 30
 * days of history): finds the bookmark for the time asked, and schedules the restore
 * for the object's next start. The caller then restarts the object (`restart`). The
 * answer carries the bookmark of the present state, which undoes the rollback the
 * same way. Local runtimes keep no history and say so: `unavailable`.
 */
export async function scheduleRollback(storage: DurableObjectStorage, target: RollbackTarget, now: number): Promise<ShardResult<RollbackScheduled>> {
  const at = "at" in target ? target.at : null;
  if (at !== null && (!Number.isSafeInteger(at) || at >= now || at < now - PITR_WINDOW_MS)) return fail("invalid_input", "at must be within the last 30 days");
  if (at === null && (typeof (target as { bookmark?: unknown }).bookmark !== "string" || (target as { bookmark: string }).bookmark === "")) {
    return fail("invalid_input", "a time or a bookmark is required");
  }
  try {
    const bookmark = at !== null ? await storage.getBookmarkForTime(at) : (target as { bookmark: string }).bookmark;
    const undo = await storage.onNextSessionRestoreBookmark(bookmark);
    return ok({ outcome: "scheduled", bookmark, undo });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Local workerd: "This Durable Object's storage back-end does not implement point-in-time recovery."
    if (/point-in-time recovery/i.test(message)) return ok({ outcome: "unavailable", detail: message });
    return fail("invalid_input", `the storage refused the bookmark: ${message}`);
  }
}
