import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import { fail, type Failure } from "../results";
import type { DirectoryDb, DirectoryTx } from "./db";
import { bumpVersion, CHANGED } from "./map-edits";
import type { BucketChecksum } from "../user-shard/api";
import type { MoveStep, MoveView } from "./api";
export const MOVE_STEPS: readonly MoveStep[] = ["planned", "copying", "fenced", "verified", "flipped", "done", "rolling_back", "rolled_back"];
export const TERMINAL_STEPS: readonly MoveStep[] = ["done", "rolled_back"];
/** Steps in which the target holds the bucket as `incoming` (accepts copies, serves nothing). */
export const INCOMING_STEPS: readonly MoveStep[] = ["copying", "fenced", "verified"];
/** Before the flip a move can still be undone; after it the target may have taken writes. */
export const ROLLBACK_STEPS: readonly MoveStep[] = ["planned", "copying", "fenced", "verified"];

export type MoveRow = typeof tables.moves.$inferSelect;

export function moveView(row: MoveRow): MoveView {
  return {
    id: row.id,
    bucket: row.bucket,
    from: row.fromShard,
    to: row.toShard,
    step: row.step as MoveStep,
    plan_id: row.planId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    fenced_at: row.fencedAt,
    fence_ms: row.fenceMs,
    rows_copied: row.rowsCopied,
    users: row.users,
    checksum: row.checksum ? (JSON.parse(row.checksum) as BucketChecksum) : null,
    attempts: row.attempts,
    error: row.error,
    holder: row.holder,
  };
}

export function isTerminal(step: string): boolean {
  return (TERMINAL_STEPS as readonly string[]).includes(step);
}

export function getMove(db: DirectoryDb | DirectoryTx, id: number): MoveRow | undefined {
  return db.select().from(tables.moves).where(eq(tables.moves.id, id)).get();
}

/**
 * "Open" spelled exactly as in the partial index moves_open_bucket, literals and all:
 * SQLite uses a partial index only when the query's WHERE visibly implies the
 * index's, and bound parameters would hide that — turning every lookup into a scan
 * of the whole move history.
 */
export const OPEN = sql.raw("step NOT IN ('done', 'rolled_back')");

export function openMoveOf(db: DirectoryDb | DirectoryTx, bucket: number): MoveRow | undefined {
  return db.select().from(tables.moves).where(and(eq(tables.moves.bucket, bucket), OPEN)).get();
}

/** Every open move, oldest first. The steps are listed rather than negated so the step index serves it. */
export function openMoves(db: DirectoryDb | DirectoryTx): MoveRow[] {
  const open = MOVE_STEPS.filter((step) => !isTerminal(step));
  return db.select().from(tables.moves).where(inArray(tables.moves.step, open)).orderBy(asc(tables.moves.id)).all();
}

/** Moves whose target currently expects the bucket: pushed to it as `incoming`. */
export function incomingMoves(db: DirectoryDb | DirectoryTx): MoveRow[] {
  return db.select().from(tables.moves).where(inArray(tables.moves.step, [...INCOMING_STEPS])).all();
}

export function recentMoves(db: DirectoryDb, limit: number, planId?: string): MoveRow[] {
  const query = db.select().from(tables.moves);
  const filtered = planId ? query.where(eq(tables.moves.planId, planId)) : query;
  return filtered.orderBy(desc(tables.moves.id)).limit(limit).all();
}

export interface NewMove {
  bucket: number;
  to: string;
  planId: string | null;
  holder: string;
}

/** Records a planned move of `bucket` from its current owner to `to`. */
export function insertMove(tx: DirectoryTx, move: NewMove, now: number): MoveRow | Failure<"invalid_input" | "move_open" | "not_found"> {
  const meta = tx.select().from(tables.mapMeta).get();
  const row = tx.select().from(tables.buckets).where(eq(tables.buckets.bucket, move.bucket)).get();
  if (!meta || !row) return fail("not_found", "the shard map has not been created");
  if (!meta.shards.includes(move.to)) return fail("invalid_input", `unknown shard ${move.to} (shards: ${meta.shards.join(", ")})`);
  if (row.shard === move.to) return fail("invalid_input", `bucket ${move.bucket} is already on ${move.to}`);
  const open = openMoveOf(tx, move.bucket);
  if (open) return fail("move_open", `bucket ${move.bucket} already has move ${open.id} in step ${open.step}`);
  return tx
    .insert(tables.moves)
    .values({ bucket: move.bucket, fromShard: row.shard, toShard: move.to, step: "planned", planId: move.planId, createdAt: now, updatedAt: now, holder: move.holder })
    .returning()
    .get();
}

/**
 * Records a whole plan's moves as `planned` in bulk (the caller has made sure no move
 * is open): thousands of rows in a few statements, because the directory answers
 * nothing else while this transaction runs. Returns the moves, or why the plan no
 * longer fits the map.
 */
export function insertPlannedMoves(
  sql: SqlStorage,
  moves: ReadonlyArray<{ bucket: number; from: string; to: string }>,
  shards: readonly string[],
  planId: string,
  holder: string,
  now: number,
): MoveView[] | string {
  const owner = new Map<number, string>();
  for (const [bucket, shard] of sql.exec("SELECT bucket, shard FROM buckets").raw()) owner.set(Number(bucket), String(shard));
  const seen = new Set<number>();
  for (const m of moves) {
    if (!owner.has(m.bucket) || seen.has(m.bucket)) return `bucket ${m.bucket} is out of range or planned twice`;
    if (owner.get(m.bucket) !== m.from) return `bucket ${m.bucket} is on ${owner.get(m.bucket)}, not ${m.from}`;
    if (!shards.includes(m.to) || m.to === m.from) return `bucket ${m.bucket} cannot move to ${m.to}`;
    seen.add(m.bucket);
  }
  const before = Number(sql.exec("SELECT coalesce(max(id), 0) AS id FROM moves").one().id);
  const columns = "bucket, from_shard, to_shard, step, plan_id, created_at, updated_at, holder";
  // Eight values a row: twelve rows stay under the 100 bound parameters a statement may have.
  for (let i = 0; i < moves.length; i += 12) {
    const chunk = moves.slice(i, i + 12);
    const values = chunk.map(() => "(?, ?, ?, 'planned', ?, ?, ?, ?)").join(", ");
    sql.exec(`INSERT INTO moves (${columns}) VALUES ${values}`, ...chunk.flatMap((m) => [m.bucket, m.from, m.to, planId, now, now, holder]));
  }
  const byBucket = new Map(moves.map((m) => [m.bucket, m]));
  return [...sql.exec("SELECT id, bucket FROM moves WHERE id > ? ORDER BY id", before).raw()].map(([id, bucket]) => {
    const m = byBucket.get(Number(bucket))!;
    return {
      id: Number(id), bucket: m.bucket, from: m.from, to: m.to, step: "planned", plan_id: planId, created_at: now, updated_at: now,
      fenced_at: null, fence_ms: null, rows_copied: 0, users: null, checksum: null, attempts: 0, error: null, holder,
    };
  });
}

type Patch = Partial<Pick<MoveRow, "fencedAt" | "fenceMs" | "rowsCopied" | "users" | "checksum" | "error" | "holder">>;

/**
 * Moves `id` from step `expected` to `next` with `patch`, running `mapEdit` in the
 * same transaction. Returns null (and changes nothing) if the move is no longer at
 * `expected`: another driver got there first.
 */
export function transition(
  tx: DirectoryTx,
  id: number,
  expected: readonly MoveStep[],
  next: MoveStep,
  patch: Patch,
  mapEdit?: (move: MoveRow) => void,
): MoveRow | null {
  const move = getMove(tx, id);
  if (!move || !(expected as readonly string[]).includes(move.step)) return null;
  mapEdit?.(move);
  return tx.update(tables.moves).set({ ...patch, step: next, updatedAt: Date.now() }).where(eq(tables.moves.id, id)).returning().get()!;
}

export function patchMove(tx: DirectoryTx, id: number, patch: Patch & { attempts?: number }): void {
  tx.update(tables.moves).set({ ...patch, updatedAt: Date.now() }).where(eq(tables.moves.id, id)).run();
}

// The map edits of the transitions. Each bumps the version for the shards whose view changes.

/** planned → copying: the target learns to expect the bucket. */
export const expectAtTarget = (tx: DirectoryTx) => (move: MoveRow) => void bumpVersion(tx, [move.toShard]);

/** copying → fenced: the source stops serving the bucket (writes and reads answer bucket_moving). */
export const fenceAtSource = (tx: DirectoryTx) => (move: MoveRow) => {
  tx.update(tables.buckets).set({ state: "fenced", changedVersion: CHANGED }).where(eq(tables.buckets.bucket, move.bucket)).run();
  bumpVersion(tx, [move.fromShard]);
};

/** verified → flipped: the target owns the bucket, one epoch later; the source gives it up. */
export const flipOwner = (tx: DirectoryTx) => (move: MoveRow) => {
  const row = tx.select().from(tables.buckets).where(eq(tables.buckets.bucket, move.bucket)).get()!;
  if (row.shard !== move.fromShard) throw new Error(`bucket ${move.bucket} is owned by ${row.shard}, not the move's source ${move.fromShard}`);
  tx.update(tables.buckets).set({ shard: move.toShard, epoch: row.epoch + 1, state: "active", changedVersion: CHANGED }).where(eq(tables.buckets.bucket, move.bucket)).run();
  bumpVersion(tx, [move.fromShard, move.toShard]);
};

/** any step before the flip → rolling_back: the source serves again, the target stops expecting. */
export const undoAtBoth = (tx: DirectoryTx) => (move: MoveRow) => {
  if (move.step === "planned") return;
  tx.update(tables.buckets).set({ state: "active", changedVersion: CHANGED }).where(eq(tables.buckets.bucket, move.bucket)).run();
  bumpVersion(tx, [move.fromShard, move.toShard]);
};
