import type { ShardDirectoryActor } from "./actors/shard-directory";
import type { UserShardActor } from "./actors/user-shard";

/** Bindings and variables of the worker (wrangler.jsonc, .dev.vars, secrets). */
export interface Env {
  USER_SHARD: DurableObjectNamespace<UserShardActor>;
  SHARD_DIRECTORY: DurableObjectNamespace<ShardDirectoryActor>;
  DB: D1Database;
  ISSUER?: string;
  SHARD_COUNT?: string;
  ADMIN_TOKEN?: string;
  MAP_CACHE_TTL_MS?: string;
  SHARD_RETRY_BUDGET_MS?: string;
}
