import type { ShardStub } from "../../shard/rpc";
import type { Env } from "../../env";
import { shardRpc } from "../../shard/rpc";
import type { Failure } from "../results";
import { copyBucket, dropAll, syncAndVerify } from "./copy";
import type { DirectoryDb } from "./db";
import { ROLLBACK_STEPS, expectAtTarget, fenceAtSource, flipOwner, getMove, isTerminal, patchMove, transition, undoAtBoth, type MoveRow } from "./moves";
import type { RunOptions, MoveStep } from "./api";

/**
 * The bucket-move state machine. `advance` takes exactly one step: it does the
 * work the recorded step names, then records the next step (with its map edit) in
 * one directory transaction. Every step's work is idempotent (pushes are
 * versioned, copies are upserts, drops are "delete what is left"), so a driver
 * that died anywhere can be replaced by another that starts from the row.
 *
 *   planned ─▶ copying ─▶ fenced ─▶ verified ─▶ flipped ─▶ done
 *      └──────────┴──────────┴──────────┴─▶ rolling_back ─▶ rolled_back
 */
export interface DriverContext {
  readonly db: DirectoryDb;
  readonly env: Env;
  readonly holder: string;
  /** Pushes the map to every shard behind it; resolves once all acknowledged. */
  push(): Promise<void>;
  /** Renews the holder's lease; a failure stops the driver before its next step. */
  renew(): Failure<"lease_held"> | null;
}

const shard = (ctx: DriverContext, name: string) => shardRpc(ctx.env, name);

async function advance(ctx: DriverContext, move: MoveRow): Promise<void> {
  const { db, holder } = ctx;
  const source = shard(ctx, move.fromShard);
  const target = shard(ctx, move.toShard);
  switch (move.step as MoveStep) {
    case "planned":
      db.transaction((tx) => transition(tx, move.id, ["planned"], "copying", { holder }, expectAtTarget(tx)));
      return;
    case "copying": {
      await ctx.push(); // the target must expect the bucket before it accepts a row
      const copied = await copyBucket(source, target, move.bucket);
      db.transaction((tx) => transition(tx, move.id, ["copying"], "fenced", { rowsCopied: copied, fencedAt: Date.now(), holder }, fenceAtSource(tx)));
      return;
    }
    case "fenced": {
      await ctx.push(); // the fence is in force at the source before its rows are read
      const verified = await syncAndVerify(source, target, move.bucket);
      if (!verified) {
        beginRollback(ctx, move.id, "checksums still differ after the fenced copy");
        return;
      }
      const checksum = JSON.stringify(verified.checksum);
      const patch = { checksum, users: verified.users, rowsCopied: move.rowsCopied + verified.delta, holder };
      db.transaction((tx) => transition(tx, move.id, ["fenced"], "verified", patch));
      return;
    }
    case "verified":
      db.transaction((tx) => transition(tx, move.id, ["verified"], "flipped", { holder }, flipOwner(tx)));
      return;
    case "flipped": {
      // Both shards acknowledge the new owner before a single source row goes: from here
      // the source answers wrong_shard, and only then is its copy garbage.
      await ctx.push();
      if (move.fenceMs === null && move.fencedAt !== null) {
        db.transaction((tx) => patchMove(tx, move.id, { fenceMs: Date.now() - move.fencedAt! }));
      }
      await dropAll(source, move.bucket);
      db.transaction((tx) => transition(tx, move.id, ["flipped"], "done", { holder }));
      return;
    }
    case "rolling_back":
      await ctx.push(); // the target no longer expects the bucket, so it may drop it
      await dropAll(target, move.bucket);
      db.transaction((tx) => transition(tx, move.id, ["rolling_back"], "rolled_back", { holder }));
      return;
    default:
      return;
  }
}

/** Records the rollback (source serves again, target stops expecting); `advance` then cleans up. */
function beginRollback(ctx: DriverContext, id: number, reason: string): MoveRow | null {
  return ctx.db.transaction((tx) => {
    const move = getMove(tx, id);
    const fenceMs = move?.fencedAt && move.fenceMs === null ? Date.now() - move.fencedAt : (move?.fenceMs ?? null);
    return transition(tx, id, ROLLBACK_STEPS, "rolling_back", { error: reason, fenceMs, holder: ctx.holder }, undoAtBoth(tx));
  });
}

/**
 * Drives a move until it is done or rolled back (or `steps` were taken). An error
 * while the bucket is fenced rolls the move back at once — a fence must stay short
 * — otherwise the error is recorded and the move stays at its step for `resume`.
 */
export async function run(ctx: DriverContext, id: number, options: RunOptions = {}): Promise<{ move: MoveRow; error: string | null }> {
  for (let taken = 0; ; taken++) {
    const move = getMove(ctx.db, id)!;
    if (isTerminal(move.step) || (options.steps !== undefined && taken >= options.steps)) return { move, error: null };
    const lost = ctx.renew();
    if (lost) return { move, error: lost.detail ?? lost.error };
    if (options.rollback && (ROLLBACK_STEPS as readonly string[]).includes(move.step)) {
      beginRollback(ctx, id, "rolled back by the operator");
      continue;
    }
    try {
      await advance(ctx, move);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.db.transaction((tx) => patchMove(tx, id, { error: message, attempts: move.attempts + 1 }));
      if (move.step === "fenced" || move.step === "verified") {
        beginRollback(ctx, id, `rolled back after an error while fenced: ${message}`);
        continue;
      }
      return { move: getMove(ctx.db, id)!, error: message };
    }
  }
}
