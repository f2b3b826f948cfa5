import * as tables from "../../../schema/do/directory/tables";
import type { Env } from "../../env";
import { isBucket } from "../../shard/bucket";
import { MAX_SHARDS, nextShardName } from "../../shard/map";
import { fail, ok } from "../results";
import type { DirectoryDb } from "./db";
import { run, type DriverContext } from "./driver";
import { acquireLease, currentLease, LEASE_MS, releaseLease, validHolder } from "./lease";
import { addShards } from "./map-edits";
import { getMove, insertMove, insertPlannedMoves, isTerminal, moveView, openMoves, recentMoves, transition } from "./moves";
import type { DirectoryResult, PlanToApply, MoveListing, RunOptions, MoveStep, MoveView, Lease } from "./api";

/** The holder the directory's own recovery alarm drives abandoned moves under. */
export const RECOVERY_HOLDER = "directory-recovery";
/** Steps that keep a bucket unavailable or half-moved: the recovery alarm finishes them. */
const RECOVER_STEPS: readonly MoveStep[] = ["fenced", "verified", "flipped", "rolling_back"];
const MAX_LIST = 500;

interface Deps {
  db: DirectoryDb;
  /** The same storage, raw, for bulk work. */
  sql: SqlStorage;
  env: Env;
  push(): Promise<void>;
  /** Makes sure the recovery alarm fires at `at` or earlier. */
  wakeAt(at: number): Promise<void>;
}

/**
 * The operator side of bucket moves inside ShardDirectoryActor: leases, move and
 * plan records, the driver loop. One driver per move at a time in this object;
 * the lease keeps other operators out.
 */
export class MoveService {
  private readonly driving = new Map<number, Promise<unknown>>();

  constructor(private readonly deps: Deps) {}

  async addShard(holder: string): Promise<DirectoryResult<{ shard: string }>> {
    if (!validHolder(holder)) return fail("invalid_input", "holder must be 1..200 characters");
    const added = this.deps.db.transaction((tx) => {
      const meta = tx.select().from(tables.mapMeta).get();
      if (!meta) return fail("not_found", "the shard map has not been created");
      if (meta.shards.length >= MAX_SHARDS) return fail("invalid_input", `a map has at most ${MAX_SHARDS} shards`);
      const refused = acquireLease(tx, holder, Date.now());
      if (refused) return refused;
      const name = nextShardName(meta.shards);
      addShards(tx, [name]);
      return ok({ shard: name });
    });
    if (added.ok) await this.deps.push();
    return added;
  }

  createMove(bucket: number, to: string, holder: string): DirectoryResult<{ move: MoveView }> {
    if (!isBucket(bucket)) return fail("invalid_input", "bucket must be an integer in [0, 4096)");
    if (typeof to !== "string" || !validHolder(holder)) return fail("invalid_input", "to and holder are required");
    return this.deps.db.transaction((tx) => {
      const refused = acquireLease(tx, holder, Date.now());
      if (refused) return refused;
      const row = insertMove(tx, { bucket, to, planId: null, holder }, Date.now());
      return "ok" in row ? row : ok({ move: moveView(row) });
    });
  }

  /**
   * Records every move of a plan as `planned`, adding the plan's new shards. Refused
   * if the map changed since the plan was made or moves are still open.
   */
  async applyPlan(plan: PlanToApply, expectedVersion: number, holder: string): Promise<DirectoryResult<{ planId: string; moves: MoveView[] }>> {
    if (!validHolder(holder) || !plan || !Array.isArray(plan.shards) || !Array.isArray(plan.moves)) return fail("invalid_input", "bad plan");
    const planId = `plan-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    const record = () => this.deps.db.transaction((tx) => {
      const now = Date.now();
      const meta = tx.select().from(tables.mapMeta).get();
      if (!meta) return fail("not_found", "the shard map has not been created");
      if (meta.version !== expectedVersion) return fail("map_changed", `the map changed (version ${meta.version}, plan made at ${expectedVersion}); plan again`);
      const refused = acquireLease(tx, holder, now);
      if (refused) return refused;
      const open = openMoves(tx);
      if (open.length > 0) return fail("move_open", `${open.length} moves are still open; finish them first (resume)`);
      if (plan.shards.length > MAX_SHARDS || meta.shards.some((s, i) => plan.shards[i] !== s)) {
        return fail("invalid_input", "the plan's shard list must extend the map's");
      }
      addShards(tx, plan.shards.slice(meta.shards.length));
      const moves = insertPlannedMoves(this.deps.sql, plan.moves, plan.shards, planId, holder, now);
      if (typeof moves === "string") throw new PlanError(moves);
      return ok({ planId, moves });
    });
    let result: ReturnType<typeof record>;
    try {
      result = record();
    } catch (error) {
      if (error instanceof PlanError) return fail("map_changed", `${error.message}; plan again`);
      throw error;
    }
    await this.deps.push();
    return result;
  }

  /** Drives move `id` (see driver.ts); joins a driver already running it here. */
  async runMove(id: number, holder: string, options: RunOptions = {}): Promise<DirectoryResult<{ move: MoveView; error: string | null }>> {
    if (!Number.isInteger(id) || !validHolder(holder)) return fail("invalid_input", "move id and holder are required");
    if (!getMove(this.deps.db, id)) return fail("not_found", `no move ${id}`);
    const refused = this.deps.db.transaction((tx) => acquireLease(tx, holder, Date.now()));
    if (refused) return refused;
    // If this driver dies with the bucket fenced, the directory finishes the move itself.
    await this.deps.wakeAt(Date.now() + LEASE_MS + 1_000);
    const ctx = this.context(holder, Date.now());
    const result = await this.exclusive(id, () => run(ctx, id, options));
    return ok({ move: moveView(result.move), error: result.error });
  }

  /**
   * Cancels every move still at `planned` (nothing was done for them: no shard was
   * told, no row copied) in one transaction: how a rebalance is abandoned quickly.
   */
  cancelPlanned(holder: string, planId?: string): DirectoryResult<{ cancelled: number }> {
    if (!validHolder(holder)) return fail("invalid_input", "holder must be 1..200 characters");
    return this.deps.db.transaction((tx) => {
      const refused = acquireLease(tx, holder, Date.now());
      if (refused) return refused;
      const planned = openMoves(tx).filter((m) => m.step === "planned" && (!planId || m.planId === planId));
      for (const move of planned) transition(tx, move.id, ["planned"], "rolled_back", { error: "cancelled before it started", holder });
      return ok({ cancelled: planned.length });
    });
  }

  listMoves(options: { open?: boolean; limit?: number; planId?: string } = {}): DirectoryResult<MoveListing> {
    const limit = Math.min(Math.max(Number(options.limit ?? 100) || 100, 1), MAX_LIST);
    const open = openMoves(this.deps.db);
    const counts: Partial<Record<MoveStep, number>> = {};
    for (const move of open) counts[move.step as MoveStep] = (counts[move.step as MoveStep] ?? 0) + 1;
    const rows = options.open ? open.slice(0, limit) : recentMoves(this.deps.db, limit, options.planId);
    return ok({ moves: rows.map(moveView), open: counts, lease: currentLease(this.deps.db, Date.now()) });
  }

  release(holder: string): DirectoryResult<{ released: boolean }> {
    if (!validHolder(holder)) return fail("invalid_input", "holder must be 1..200 characters");
    return ok({ released: this.deps.db.transaction((tx) => releaseLease(tx, holder)) });
  }

  /**
   * Alarm: finishes moves whose driver vanished while they held a fence or were
   * half-flipped, once the driver's lease has run out. Returns when to look again.
   */
  async recover(): Promise<number | null> {
    const now = Date.now();
    const lease = currentLease(this.deps.db, now);
    const stuck = openMoves(this.deps.db).filter((m) => (RECOVER_STEPS as readonly string[]).includes(m.step));
    if (stuck.length === 0) return null;
    if (lease && lease.holder !== RECOVERY_HOLDER) return lease.expiresAt + 1_000;
    const ctx = this.context(RECOVERY_HOLDER);
    let failed = false;
    for (const move of stuck) {
      const result = await this.exclusive(move.id, () => run(ctx, move.id));
      failed ||= !isTerminal(result.move.step);
    }
    this.deps.db.transaction((tx) => releaseLease(tx, RECOVERY_HOLDER));
    return failed ? Date.now() + LEASE_MS : null;
  }

  /**
   * The driver's view of this object. The lease is renewed at most every third of
   * its term (a write per step would cost more than some steps): while a driver
   * runs, its lease never gets near expiry, so nobody can take it over meanwhile.
   */
  private context(holder: string, renewedAt = 0): DriverContext {
    const { db, env } = this.deps;
    let last = renewedAt;
    return {
      db,
      env,
      holder,
      push: () => this.deps.push(),
      renew: () => {
        const now = Date.now();
        if (now - last < LEASE_MS / 3) return null;
        const refused = db.transaction((tx) => acquireLease(tx, holder, now));
        if (!refused) last = now;
        return refused;
      },
    };
  }

  private async exclusive<T>(id: number, job: () => Promise<T>): Promise<T> {
    for (let running = this.driving.get(id); running; running = this.driving.get(id)) await running.catch(() => undefined);
    const promise = job();
    this.driving.set(id, promise);
    try {
      return await promise;
    } finally {
      this.driving.delete(id);
    }
  }
}

/** Aborts the plan's transaction: a plan is recorded whole or not at all. */
class PlanError extends Error {
  override name = "PlanError";
}
