// The shards CLI's calls to the operator API, each typed by the body its route declares
// (src/router/endpoints/admin/shard-responses.ts): a change of an answer there fails
// `tsc -p cli` here. Refusals become CliError with the server's message.
import type {
  AddShardResponse,
  CancelResponse,
  CreateMoveResponse,
  MovesResponse,
  PlanResponse,
  RebalanceResponse,
  StatusResponse,
  VerifyResponse,
} from "../../src/router/endpoints/admin/shard-responses.ts";
import type {
  BackupBucketResponse,
  BackupFinishResponse,
  BackupListResponse,
  BackupManifestResponse,
  BackupStartResponse,
  RestoreResponse,
  RollbackResponse,
} from "../../src/router/endpoints/admin/backup-responses.ts";
import type { AdminClient, AdminResponse } from "./admin-client.ts";
import { okBody } from "./admin-commands.ts";

export type PlanBy = PlanResponse["by"];

/** The operator API under /admin/shards, for one CLI run that holds the move lease as `holder`. */
export function shardsApi(client: AdminClient, holder: string) {
  return {
    client,
    status: async () => okBody<StatusResponse>(await client.request("GET", "/admin/shards"), [200]),
    plan: async (shards: number, by: PlanBy) =>
      okBody<PlanResponse>(await client.request("GET", `/admin/shards/plan?${new URLSearchParams({ shards: String(shards), by })}`), [200]),
    verify: async (from: number, count: number) => okBody<VerifyResponse>(await client.request("GET", `/admin/shards/verify?from=${from}&count=${count}`), [200]),
    addShard: async () => okBody<AddShardResponse>(await client.request("POST", "/admin/shards/add", { holder }), [201]),
    createMove: async (bucket: number, to: string) => okBody<CreateMoveResponse>(await client.request("POST", "/admin/shards/moves", { holder, bucket, to }), [201]),
    rebalance: async (shards: number, by: PlanBy) => okBody<RebalanceResponse>(await client.request("POST", "/admin/shards/rebalance", { holder, shards, by }), [200, 201]),
    openMoves: async () => okBody<MovesResponse>(await client.request("GET", "/admin/shards/moves?open=true&limit=500"), [200]),
    cancelPlanned: async () => okBody<CancelResponse>(await client.request("POST", "/admin/shards/moves/cancel", { holder }), [200]),
    backups: async (limit: number) => okBody<BackupListResponse>(await client.request("GET", `/admin/backups?limit=${limit}`), [200]),
    startBackup: async () => okBody<BackupStartResponse>(await client.request("POST", "/admin/backups"), [201]),
    finishBackup: async (id: string) => okBody<BackupFinishResponse>(await client.request("POST", `/admin/backups/${id}/finish`), [200]),
    manifest: async (id: string) => okBody<BackupManifestResponse>(await client.request("GET", `/admin/backups/${id}`), [200]),
    /** One bucket of a running backup; the raw answer, so the runner can retry or record a refusal. */
    backupBucket: (id: string, bucket: number): Promise<AdminResponse> => client.request("POST", `/admin/backups/${id}/buckets/${bucket}`),
    /** One bucket restored; the raw answer (a refusal is a result for one bucket, not the end of the run). */
    restore: (id: string, bucket: number, options: { to?: string | undefined; force?: boolean }): Promise<AdminResponse> =>
      client.request("POST", `/admin/backups/${id}/restore`, { holder, bucket, ...(options.to ? { to: options.to } : {}), ...(options.force ? { force: true } : {}) }),
    pitr: async (shard: string, target: { at: string } | { bookmark: string }, force: boolean) =>
      okBody<RollbackResponse>(await client.request("POST", `/admin/shards/${shard}/pitr`, { holder, ...target, ...(force ? { force: true } : {}) }), [200]),
    /** Gives the lease back; a failure is ignored (the lease runs out by itself). */
    releaseLease: async () => void (await client.request("POST", "/admin/shards/lease/release", { holder }).catch(() => undefined)),
  };
}

export type ShardsApi = ReturnType<typeof shardsApi>;
