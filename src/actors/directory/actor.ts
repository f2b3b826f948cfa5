import { DurableObject } from "cloudflare:workers";
import { eq, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import migrations from "../../../schema/do/directory/migrations/migrations.js";
import * as tables from "../../../schema/do/directory/tables";
import { loadConfig } from "../../config";
import type { Env } from "../../env";
import { BUCKET_COUNT, isBucket } from "../../shard/bucket";
import { initialMap, MAX_SHARDS } from "../../shard/map";
import { fail, ok, type BucketState, type Failure } from "../results";
import type { DirectoryDb } from "./db";
import { bumpVersion, CHANGED } from "./map-edits";
import { MoveService } from "./move-service";
import { incomingMoves, moveView, openMoveOf, openMoves } from "./moves";
import { makePlan, planView } from "./plans";
import { OwnershipPusher } from "./push";
import { MapSnapshotPublisher } from "./snapshot";
import { shardStatus } from "./status";
import { verifyRange } from "./verify";
import { MAX_VERIFY_RANGE, type DirectoryApi, type DirectoryMap, type DirectoryResult, type MoveListing, type MoveView, type PlanBy, type PlanToApply, type PlanView, type RunOptions, type ShardStatus, type VerifyReport } from "./api";

/**
 * ShardDirectoryActor: the one object (`idFromName("directory")`) that holds the
 * versioned bucket → shard map. Every change bumps the version and is pushed to
 * the shards it concerns; a shard only ever learns what it owns from here.
 * Routers read the map rarely (cached per isolate), never per request.
 */
export class ShardDirectoryActor extends DurableObject<Env> implements DirectoryApi {
  private readonly db: DirectoryDb;
  private pushing: Promise<void> | null = null;
  private readonly moves: MoveService;
  private readonly pusher: OwnershipPusher;
  private readonly snapshot: MapSnapshotPublisher;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = drizzle(ctx.storage, { schema: tables });
    this.pusher = new OwnershipPusher(ctx.storage.sql, env);
    this.moves = new MoveService({ db: this.db, sql: ctx.storage.sql, env, push: () => this.pushPending(), wakeAt: (at) => this.wakeAt(at) });
    this.snapshot = new MapSnapshotPublisher({
      kv: () => this.env.MAP_SNAPSHOT,
      version: () => this.db.select({ version: tables.mapMeta.version }).from(tables.mapMeta).get()?.version ?? null,
      readMap: () => this.readMap(),
      wakeAt: (at) => this.wakeAt(at),
    });
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.db, migrations);
    });
  }

  /**
   * Returns the map, creating it with `shardCount` shards on first use. Idempotent:
   * concurrent first calls create one map; once a map exists `shardCount` is ignored
   * (shards change only through rebalancing). Returns only after every shard has
   * acknowledged the current version, so a router never routes ahead of the shards.
   */
  async ensureMap(shardCount: number): Promise<DirectoryResult<{ map: DirectoryMap }>> {
    if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) {
      return fail("invalid_input", `shardCount must be an integer between 1 and ${MAX_SHARDS}`);
    }
    this.db.transaction((tx) => {
      if (tx.select().from(tables.mapMeta).get()) return;
      const map = initialMap(shardCount);
      const now = Date.now();
      tx.insert(tables.mapMeta).values({ id: 1, version: map.version, shards: [...map.shards], createdAt: now, updatedAt: now }).run();
      map.owner.forEach((owner, bucket) => {
        tx.insert(tables.buckets).values({ bucket, shard: map.shards[owner]!, epoch: 1, state: "active", changedVersion: map.version }).run();
      });
      for (const shard of map.shards) tx.insert(tables.shardSync).values({ shard, ackedVersion: 0 }).run();
    });
    await this.pushPending();
    return ok({ map: this.readMap()! });
  }

  /** The current map, or not_found before `ensureMap` has created one. */
  async getMap(): Promise<DirectoryResult<{ map: DirectoryMap }>> {
    await this.pushPending();
    const map = this.readMap();
    return map ? ok({ map }) : fail("not_found", "the shard map has not been created");
  }

  /**
   * Fences (`fenced`: the owner answers bucket_moving) or reopens (`active`) buckets,
   * in one version bump, outside any move (the routing tests use it; bucket moves
   * fence through their own steps in driver.ts). Refused while a bucket has an open move.
   */
  async setBucketState(bucketList: number[], state: BucketState): Promise<DirectoryResult<{ map: DirectoryMap }>> {
    if (!Array.isArray(bucketList) || bucketList.length === 0 || !bucketList.every(isBucket)) {
      return fail("invalid_input", "buckets must be a non-empty list of buckets in range");
    }
    if (state !== "active" && state !== "fenced") return fail("invalid_input", "state must be active or fenced");
    const changed = this.db.transaction((tx) => {
      if (!tx.select().from(tables.mapMeta).get()) return fail("not_found", "the shard map has not been created");
      const touched = new Set<string>();
      const moving = bucketList.find((bucket) => openMoveOf(tx, bucket));
      if (moving !== undefined) return fail("move_open", `bucket ${moving} has a move in progress`);
      for (const bucket of new Set(bucketList)) {
        const row = tx.select().from(tables.buckets).where(eq(tables.buckets.bucket, bucket)).get()!;
        if (row.state === state) continue;
        tx.update(tables.buckets).set({ state, changedVersion: CHANGED }).where(eq(tables.buckets.bucket, bucket)).run();
        touched.add(row.shard);
      }
      if (touched.size > 0) bumpVersion(tx, [...touched]);
      return ok({});
    });
    if (!changed.ok) return changed;
    await this.pushPending();
    return ok({ map: this.readMap()! });
  }

  /**
   * Hands `bucket` to `shard`: new owner, epoch + 1, version + 1, pushed to both
   * shards, without copying a row (the routing tests use it; a bucket move flips
   * the owner in its own step, after the copy is verified). Refused while the bucket
   * has an open move.
   */
  async assignBucket(bucket: number, shard: string): Promise<DirectoryResult<{ map: DirectoryMap }>> {
    if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
    const changed = this.db.transaction((tx) => {
      const meta = tx.select().from(tables.mapMeta).get();
      const row = tx.select().from(tables.buckets).where(eq(tables.buckets.bucket, bucket)).get();
      if (!meta || !row) return fail("not_found", "the shard map has not been created");
      if (!meta.shards.includes(shard)) return fail("invalid_input", `unknown shard ${shard}`);
      if (row.shard === shard) return ok({});
      if (openMoveOf(tx, bucket)) return fail("move_open", `bucket ${bucket} has a move in progress`);
      tx.update(tables.buckets).set({ shard, epoch: row.epoch + 1, changedVersion: CHANGED }).where(eq(tables.buckets.bucket, bucket)).run();
      bumpVersion(tx, [row.shard, shard]);
      return ok({});
    });
    if (!changed.ok) return changed;
    await this.pushPending();
    return ok({ map: this.readMap()! });
  }

  // Bucket moves (src/actors/directory/): the operators' lease, move records, the step driver.

  /** Adds an empty shard (`shard-<n>`) to the map; buckets reach it by moves. */
  addShard(holder: string): Promise<DirectoryResult<{ shard: string }>> {
    return this.moves.addShard(holder);
  }

  /** Records a planned move of `bucket` to shard `to`; `runMove` carries it out. */
  createMove(bucket: number, to: string, holder: string): DirectoryResult<{ move: MoveView }> {
    return this.moves.createMove(bucket, to, holder);
  }

  /** Records a whole rebalance plan (made at map `expectedVersion`) as planned moves. */
  applyPlan(plan: PlanToApply, expectedVersion: number, holder: string): Promise<DirectoryResult<{ planId: string; moves: MoveView[] }>> {
    return this.moves.applyPlan(plan, expectedVersion, holder);
  }

  /** Drives a move to done or rolled_back (or `options.steps` steps); resumes from its recorded step. */
  runMove(id: number, holder: string, options: RunOptions = {}): Promise<DirectoryResult<{ move: MoveView; error: string | null }>> {
    return this.moves.runMove(id, holder, options);
  }

  /** Cancels moves not started yet (all, or one plan's). */
  cancelPlannedMoves(holder: string, planId?: string): DirectoryResult<{ cancelled: number }> {
    return this.moves.cancelPlanned(holder, planId);
  }

  listMoves(options: { open?: boolean; limit?: number; planId?: string } = {}): DirectoryResult<MoveListing> {
    return this.moves.listMoves(options);
  }

  releaseMoveLease(holder: string): DirectoryResult<{ released: boolean }> {
    return this.moves.release(holder);
  }

  // What operators see and plan (status.ts, plans.ts, verify.ts): the map is here, and so is every shard's name.

  async shardStatus(): Promise<DirectoryResult<{ status: ShardStatus }>> {
    const map = await this.operatorMap();
    const listing = this.moves.listMoves({ open: true, limit: 50 });
    if (!listing.ok) return listing;
    return ok({ status: await shardStatus(this.env, map, listing) });
  }

  async planRebalance(shards: number, by: PlanBy): Promise<DirectoryResult<{ plan: PlanView }>> {
    const refused = planInputProblem(shards, by);
    if (refused) return refused;
    const map = await this.operatorMap();
    return ok({ plan: planView(map, await makePlan(this.env, map, shards, by), by) });
  }

  /** The plan is recorded against the map version it was made at: a map changed meanwhile refuses it. */
  async rebalance(shards: number, by: PlanBy, holder: string): Promise<DirectoryResult<{ plan: PlanView; planId: string | null; moves: MoveView[] }>> {
    const refused = planInputProblem(shards, by);
    if (refused) return refused;
    const map = await this.operatorMap();
    const plan = await makePlan(this.env, map, shards, by);
    const view = planView(map, plan, by);
    if (plan.moves.length === 0) return ok({ plan: view, planId: null, moves: [] });
    const applied = await this.moves.applyPlan({ shards: [...plan.shards], moves: [...plan.moves] }, map.version, holder);
    return applied.ok ? ok({ plan: view, planId: applied.planId, moves: applied.moves }) : applied;
  }

  async verify(from: number, count: number): Promise<DirectoryResult<{ report: VerifyReport }>> {
    if (!isBucket(from)) return fail("invalid_input", `from must be a bucket in [0, ${BUCKET_COUNT})`);
    if (!Number.isInteger(count) || count < 1 || count > MAX_VERIFY_RANGE) return fail("invalid_input", `count must be an integer between 1 and ${MAX_VERIFY_RANGE}`);
    const map = await this.operatorMap();
    const open = openMoves(this.db).map(moveView);
    return ok({ report: await verifyRange(this.env, map, open, from, Math.min(from + count - 1, BUCKET_COUNT - 1)) });
  }

  /** The map as `ensureMap` gives it to routers: created on first use, acknowledged by every shard. */
  private async operatorMap(): Promise<DirectoryMap> {
    const ensured = await this.ensureMap(loadConfig(this.env).shardCount);
    if (!ensured.ok) throw new Error(`the shard map could not be created: ${ensured.detail ?? ensured.error}`);
    return ensured.map;
  }

  /**
   * Recovery: finishes moves whose driver vanished while the bucket was fenced or
   * half-flipped; and retries a map snapshot whose KV write failed.
   */
  override async alarm(): Promise<void> {
    const recoverAt = await this.moves.recover();
    const publishAt = await this.snapshot.flush();
    const next = [recoverAt, publishAt].filter((at) => at !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next));
  }

  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** The map as it stands (raw SQL: routers fetch it whenever a shard says wrong_shard). */
  private readMap(): DirectoryMap | null {
    const meta = this.db.select().from(tables.mapMeta).get();
    if (!meta) return null;
    const index = new Map(meta.shards.map((name, i) => [name, i]));
    const owner: number[] = [];
    const epochs: number[] = [];
    const states: BucketState[] = [];
    for (const [bucket, shard, epoch, state] of this.ctx.storage.sql.exec("SELECT bucket, shard, epoch, state FROM buckets ORDER BY bucket").raw()) {
      owner[Number(bucket)] = index.get(String(shard))!;
      epochs[Number(bucket)] = Number(epoch);
      states[Number(bucket)] = state as BucketState;
    }
    return { version: meta.version, shards: meta.shards, owner, epochs, states };
  }

  /**
   * Resolves once every shard has acknowledged the map version current at the call
   * (later versions are not waited for: while buckets move, new versions keep coming,
   * and a caller waiting for all of them could wait as long as the rebalance). One
   * push runs at a time and carries the latest map; a caller that arrives meanwhile
   * waits for it and pushes again only if its version is still not acknowledged. A
   * failed push throws here and is retried by the next call. Once the shards hold
   * the version, it goes to the KV snapshot, in the background (snapshot.ts).
   */
  private async pushPending(): Promise<void> {
    const meta = this.db.select().from(tables.mapMeta).get();
    if (!meta) return;
    const want = meta.version;
    for (;;) {
      if (this.db.select().from(tables.shardSync).all().every((s) => s.ackedVersion >= want)) break;
      if (this.pushing) {
        // Someone else's push: whatever happens to it, look again.
        await this.pushing.catch(() => undefined);
        continue;
      }
      const latest = this.db.select().from(tables.mapMeta).get()!.version;
      this.pushing = this.pushTo(latest).finally(() => (this.pushing = null));
      await this.pushing;
    }
    this.snapshot.nudge();
  }

  private async pushTo(version: number): Promise<void> {
    const stale = this.db.select().from(tables.shardSync).where(lt(tables.shardSync.ackedVersion, version)).all();
    // A move's target holds the bucket as `incoming` from the copy until the flip.
    const incoming = incomingMoves(this.db);
    await Promise.all(
      stale.map(async ({ shard }) => {
        await this.pusher.push(shard, version, incoming.filter((m) => m.toShard === shard).map((m) => m.bucket));
        this.db
          .update(tables.shardSync)
          .set({ ackedVersion: version })
          .where(eq(tables.shardSync.shard, shard))
          .run();
      }),
    );
  }
}

function planInputProblem(shards: number, by: PlanBy): Failure<"invalid_input"> | null {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) return fail("invalid_input", `shards must be an integer between 1 and ${MAX_SHARDS}`);
  if (by !== "buckets" && by !== "load") return fail("invalid_input", "by must be buckets or load");
  return null;
}
