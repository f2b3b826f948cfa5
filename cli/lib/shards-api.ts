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
import type { AdminClient } from "./admin-client.ts";
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
    /** Gives the lease back; a failure is ignored (the lease runs out by itself). */
    releaseLease: async () => void (await client.request("POST", "/admin/shards/lease/release", { holder }).catch(() => undefined)),
  };
}

export type ShardsApi = ReturnType<typeof shardsApi>;
