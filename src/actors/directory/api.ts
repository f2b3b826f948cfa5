/**
 * The RPC contract of ShardDirectoryActor: the versioned bucket → shard map and
 * the bucket moves. Routers, the operator API and the CLI's server side import
 * this file, never the actor's internals.
 */
import type { ShardMap } from "../../shard/map.ts";
import type { BucketState, Failure, Ok } from "../results.ts";
import type { BucketChecksum } from "../user-shard/api.ts";

/**
 * Why the directory refuses. Each code has one meaning, so callers act on the code
 * and never on the message (`detail` says the particulars):
 * - `lease_held`: another operator holds the move lease (who, and until when); wait for it or stop.
 * - `map_changed`: the map changed since the plan was made, or the plan no longer fits it; plan again.
 * - `move_open`: open moves stand in the way (the bucket has one, or a rebalance needs none); finish them first.
 * - `not_found`: no such move, or no map yet. `invalid_input`: bad arguments.
 */
export type DirectoryError = "invalid_input" | "not_found" | "lease_held" | "map_changed" | "move_open";
export type DirectoryResult<T extends object = object> = Ok<T> | Failure<DirectoryError>;

export interface DirectoryApi {
  /** The map, created with `shardCount` shards on first use. */
  ensureMap(shardCount: number): Promise<DirectoryResult<{ map: DirectoryMap }>>;
  getMap(): Promise<DirectoryResult<{ map: DirectoryMap }>>;
  setBucketState(bucketList: number[], state: BucketState): Promise<DirectoryResult<{ map: DirectoryMap }>>;
  assignBucket(bucket: number, shard: string): Promise<DirectoryResult<{ map: DirectoryMap }>>;
  addShard(holder: string): Promise<DirectoryResult<{ shard: string }>>;
  createMove(bucket: number, to: string, holder: string): DirectoryResult<{ move: MoveView }>;
  applyPlan(plan: PlanToApply, expectedVersion: number, holder: string): Promise<DirectoryResult<{ planId: string; moves: MoveView[] }>>;
  runMove(id: number, holder: string, options?: RunOptions): Promise<DirectoryResult<{ move: MoveView; error: string | null }>>;
  cancelPlannedMoves(holder: string, planId?: string): DirectoryResult<{ cancelled: number }>;
  listMoves(options?: { open?: boolean; limit?: number; planId?: string }): DirectoryResult<MoveListing>;
  releaseMoveLease(holder: string): DirectoryResult<{ released: boolean }>;
  /** The operators' view: the map, per shard its buckets, users and recent requests, open moves, the lease. */
  shardStatus(): Promise<DirectoryResult<{ status: ShardStatus }>>;
  /** Dry run: the moves that would spread the buckets (or, by load, the requests) over `shards` shards. */
  planRebalance(shards: number, by: PlanBy): Promise<DirectoryResult<{ plan: PlanView }>>;
  /** Plans as `planRebalance` does and records every move as planned (nothing, when nothing moves). */
  rebalance(shards: number, by: PlanBy, holder: string): Promise<DirectoryResult<{ plan: PlanView; planId: string | null; moves: MoveView[] }>>;
  /** Checks `count` buckets from `from` on every shard against the map. */
  verify(from: number, count: number): Promise<DirectoryResult<{ report: VerifyReport }>>;
}

/** The map plus, per bucket, the epoch and state the shards enforce. */
export interface DirectoryMap extends ShardMap {
  readonly epochs: readonly number[];
  readonly states: readonly BucketState[];
}

/**
 * The KV key (binding MAP_SNAPSHOT) under which the directory publishes every map
 * version it settles, for router isolates that start while the directory is down.
 */
export const MAP_SNAPSHOT_KEY = "shard-map";

/**
 * The value at MAP_SNAPSHOT_KEY: the map as `ensureMap` returns it, and when it was
 * written. KV is eventually consistent and the directory writes it at most once a
 * second, so a reader may get a version or two behind the directory — safe, since
 * every shard fences its buckets: a stale map only costs a `wrong_shard`.
 */
export interface MapSnapshot extends DirectoryMap {
  readonly published_at: number;
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

/** A rebalance plan (src/shard/plan.ts, plan-load.ts): shard list after, and the moves. */
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

/** What a rebalance evens out: bucket counts, or requests over the last 15 minutes. */
export type PlanBy = "buckets" | "load";

/** A plan as operators see it: per shard its buckets (and load) before and after, and the moves. */
export interface PlanView {
  version: number;
  by: PlanBy;
  shards: Array<{ name: string; buckets_before: number; buckets_after: number; load_before?: number; load_after?: number; new: boolean }>;
  move_count: number;
  moves: Array<{ bucket: number; from: string; to: string }>;
}

export interface ShardStatus {
  version: number;
  bucket_count: number;
  shards: ShardView[];
  moves: { open: Partial<Record<MoveStep, number>>; in_flight: MoveView[] };
  lease: { holder: string; expires_at: number } | null;
}

/** One shard in the status; null where the shard did not answer. */
export interface ShardView {
  name: string;
  buckets: number;
  fenced_buckets: number;
  users: number | null;
  outbox: number | null;
  /** Seconds since the oldest event still in the outbox was written (0 when empty): how far audit delivery is behind. */
  outbox_behind_s: number | null;
  /** Events the outbox dropped (oldest first) because it filled up during a queue outage. */
  outbox_dropped: number | null;
  applied_map_version: number | null;
  requests: RequestCounts | null;
}

/** A shard's requests in the last 1, 5 and 15 minutes, per minute (oldest first), and its busiest buckets. */
export interface RequestCounts {
  last_1m: number;
  last_5m: number;
  last_15m: number;
  per_minute: number[];
  hottest_buckets: Array<[bucket: number, requests: number]>;
}

/** Buckets one `verify` call checks at most. */
export const MAX_VERIFY_RANGE = 512;

export type ProblemKind = "ownership_mismatch" | "double_owner" | "stale_incoming" | "stray_rows";

export interface VerifyReport {
  from: number;
  to: number;
  version: number;
  buckets: number;
  /** Each copy of a bucket's rows, wherever it is: row count and a short hash of its checksum. */
  checksums: Array<{ bucket: number; shard: string; rows: number; hash: string }>;
  /** Copies that an open move explains (a target filling up, a source not yet cleaned). */
  in_flight: Array<{ bucket: number; shard: string; move: number; step: MoveStep }>;
  problems: Array<{ bucket: number; shard: string; kind: ProblemKind; detail: string }>;
}
