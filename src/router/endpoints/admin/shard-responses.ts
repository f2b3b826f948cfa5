/**
 * The JSON bodies the operator API answers under /admin/shards: each route checks
 * what it sends against these (`satisfies`), and the shards CLI reads its answers
 * as these. Types only, with every import spelled with .ts, so that the CLI (Node
 * type stripping) imports this file and what it imports as they are.
 */
import type { MoveListing, MoveView, PlanView, ShardStatus, VerifyReport } from "../../../actors/directory/api.ts";

/** GET /admin/shards */
export type StatusResponse = ShardStatus;
/** GET /admin/shards/plan */
export type PlanResponse = PlanView;
/** GET /admin/shards/verify */
export type VerifyResponse = VerifyReport;
/** POST /admin/shards/add → 201 */
export interface AddShardResponse {
  shard: string;
}
/** POST /admin/shards/moves → 201 */
export interface CreateMoveResponse {
  move: MoveView;
}
/** POST /admin/shards/rebalance: 201 with the recorded moves, or 200 when nothing has to move. */
export type RebalanceResponse = PlanView & ({ plan_id: string; moves: MoveView[] } | { plan_id: null; moves: [] });
/** POST /admin/shards/moves/:id/run: where the move stands, and why it stopped short of its end. */
export interface RunMoveResponse {
  move: MoveView;
  error: string | null;
}
/** GET /admin/shards/moves */
export type MovesResponse = { ok: true } & MoveListing;
/** POST /admin/shards/moves/cancel */
export interface CancelResponse {
  ok: true;
  cancelled: number;
}
/** POST /admin/shards/lease/release */
export interface ReleaseResponse {
  ok: true;
  released: boolean;
}

/**
 * The `error` of a refusal under /admin/shards and /admin/backups (besides 401
 * `invalid_token` and 413/415 `invalid_request`): bad input, no such move or backup,
 * and the conflicts, each with its code (see DirectoryError for what each means).
 */
export type ShardsErrorCode =
  | "invalid_request"
  | "not_found"
  | "lease_held"
  | "map_changed"
  | "move_open"
  | "bucket_not_empty"
  | "backup_incomplete"
  | "restore_mismatch"
  | "moved_since"
  | "backup_corrupt"
  | "unsupported"
  | "temporarily_unavailable";

export type { MoveStep, MoveView, ShardView } from "../../../actors/directory/api.ts";
