/**
 * The RPC contract of ShardDirectoryActor: the versioned bucket → shard map and
 * the bucket moves. Routers, the operator API and the CLI's server side import
 * this file, never the actor's internals.
 */
import type { ShardMap } from "../../shard/map";
import type { BucketState, ShardResult } from "../results";
import type { BucketChecksum } from "../user-shard/api";

export interface DirectoryApi {
  /** The map, created with `shardCount` shards on first use. */
  ensureMap(shardCount: number): Promise<ShardResult<{ map: DirectoryMap }>>;
  getMap(): Promise<ShardResult<{ map: DirectoryMap }>>;
  setBucketState(bucketList: number[], state: BucketState): Promise<ShardResult<{ map: DirectoryMap }>>;
  assignBucket(bucket: number, shard: string): Promise<ShardResult<{ map: DirectoryMap }>>;
  addShard(holder: string): Promise<ShardResult<{ shard: string }>>;
  createMove(bucket: number, to: string, holder: string): ShardResult<{ move: MoveView }>;
  applyPlan(plan: PlanToApply, expectedVersion: number, holder: string): Promise<ShardResult<{ planId: string; moves: MoveView[] }>>;
  runMove(id: number, holder: string, options?: RunOptions): Promise<ShardResult<{ move: MoveView; error: string | null }>>;
  cancelPlannedMoves(holder: string, planId?: string): ShardResult<{ cancelled: number }>;
  listMoves(options?: { open?: boolean; limit?: number; planId?: string }): ShardResult<MoveListing>;
  releaseMoveLease(holder: string): ShardResult<{ released: boolean }>;
}

/** The map plus, per bucket, the epoch and state the shards enforce. */
export interface DirectoryMap extends ShardMap {
  readonly epochs: readonly number[];
  readonly states: readonly BucketState[];
}

/** Where a bucket move stands; the directory records each step before it takes it. */
export type MoveStep = "planned" | "copying" | "fenced" | "verified" | "flipped" | "done" | "rolling_back" | "rolled_back";

export interface MoveView {
  id: number;
  bucket: number;
  from: string;
  to: string;
  step: MoveStep;
  plan_id: string | null;
  created_at: number;
  updated_at: number;
  fenced_at: number | null;
  fence_ms: number | null;
  rows_copied: number;
  users: number | null;
  checksum: BucketChecksum | null;
  attempts: number;
  error: string | null;
  holder: string | null;
}

/** A rebalance plan as the router computed it (src/shard/plan.ts): shard list after, and the moves. */
export interface PlanToApply {
  shards: string[];
  moves: Array<{ bucket: number; from: string; to: string }>;
}

export interface MoveListing {
  moves: MoveView[];
  /** Open moves per step. */
  open: Partial<Record<MoveStep, number>>;
  lease: Lease | null;
}

export interface RunOptions {
  /** Undo the move if it has not flipped yet (a flipped move is always finished). */
  rollback?: boolean;
  /** Take at most this many steps (tests drive moves one step at a time). */
  steps?: number;
}

export interface Lease {
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}
