import { and, eq, gte, or } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import type { Env } from "../../env";
import { shardRpc } from "../../shard/rpc";
import { fail, ok } from "../results";
import { PITR_WINDOW_MS, type RollbackTarget } from "../user-shard/api";
import type { DirectoryDb } from "./db";
import { acquireLease, validHolder } from "./lease";
import { openMoves } from "./moves";
import type { DirectoryMap, DirectoryResult, MoveStep, RollbackOptions, ShardRollbackReport } from "./api";

interface Deps {
  db: DirectoryDb;
  env: Env;
  map(): Promise<DirectoryMap>;
  push(): Promise<void>;
}

/**
 * Rolls a whole shard back in time with Durable Object point-in-time recovery: the
 * shard schedules the restore of its SQLite for its next start and is restarted; the
 * directory then pushes it its ownership again (the rolled-back shard remembers the
 * buckets it owned back then). Refused while moves touching the shard are open, and,
 * unless forced, when buckets moved to or from it after that time: the rollback would
 * empty the buckets it received and bring back rows of those it gave away.
 */
export async function rollbackShard(deps: Deps, shard: string, target: RollbackTarget, options: RollbackOptions): Promise<DirectoryResult<{ rollback: ShardRollbackReport }>> {
  if (!validHolder(options?.holder) || typeof shard !== "string") return fail("invalid_input", "a shard and a holder are required");
  const at = target && "at" in target ? target.at : null;
  const now = Date.now();
  if (at !== null && (!Number.isSafeInteger(at) || at >= now || at < now - PITR_WINDOW_MS)) {
    return fail("invalid_input", "at must be a time within the last 30 days");
  }
  if (at === null && typeof (target as { bookmark?: unknown })?.bookmark !== "string") return fail("invalid_input", "a time or a bookmark is required");
  const map = await deps.map();
  if (!map.shards.includes(shard)) return fail("invalid_input", `unknown shard ${shard} (shards: ${map.shards.join(", ")})`);

  const checked = deps.db.transaction((tx) => {
    const refused = acquireLease(tx, options.holder, now);
    if (refused) return refused;
    const open = openMoves(tx).filter((m) => m.fromShard === shard || m.toShard === shard);
    if (open.length > 0) return fail("move_open", `${open.length} open moves touch ${shard}; finish them first (resume)`);
    const since = at === null ? [] : tx.select().from(tables.moves)
      .where(and(gte(tables.moves.updatedAt, at), or(eq(tables.moves.fromShard, shard), eq(tables.moves.toShard, shard))))
      .orderBy(tables.moves.id).all();
    if (since.length > 0 && options.force !== true) {
      const buckets = since.slice(0, 10).map((m) => m.bucket).join(", ");
      return fail("moved_since", `${since.length} bucket moves touched ${shard} after ${new Date(at!).toISOString()} (buckets ${buckets}${since.length > 10 ? ", ..." : ""}); rolling it back empties the buckets it received and brings back rows of those it gave away (--force rolls back anyway)`);
    }
    return ok({ since: since.map((m) => ({ id: m.id, bucket: m.bucket, from: m.fromShard, to: m.toShard, step: m.step as MoveStep })) });
  });
  if (!checked.ok) return checked;

  const stub = shardRpc(deps.env, shard);
  const scheduled = await stub.scheduleRollback(target).catch((error: unknown) => fail("unavailable", error instanceof Error ? error.message : String(error)));
  if (!scheduled.ok) return fail(scheduled.error === "unavailable" ? "unavailable" : "invalid_input", `${shard}: ${scheduled.detail ?? scheduled.error}`);
  if (scheduled.outcome === "unavailable") {
    return fail("unsupported", `${shard} cannot roll back here: ${scheduled.detail} (Durable Object point-in-time recovery exists on Cloudflare only)`);
  }
  // The restart ends the object mid-call, so this call fails by design.
  await stub.restart("point-in-time recovery scheduled by an operator").catch(() => undefined);
  // The shard comes back with the ownership it had then: mark it behind, so the next push
  // sends it the current map (its delta base no longer matches, so the push is a full one).
  deps.db.update(tables.shardSync).set({ ackedVersion: 0 }).where(eq(tables.shardSync.shard, shard)).run();
  await deps.push();
  return ok({ rollback: { shard, at, bookmark: scheduled.bookmark, undo_bookmark: scheduled.undo, moves_since: checked.since } });
}
