import type { KeyManagerActor } from "./actors/key-manager/actor";
import type { ShardDirectoryActor } from "./actors/directory/actor";
import type { UserShardActor } from "./actors/user-shard/actor";

/** Bindings and variables of the worker (wrangler.jsonc, .dev.vars, secrets). */
export interface Env {
  USER_SHARD: DurableObjectNamespace<UserShardActor>;
  SHARD_DIRECTORY: DurableObjectNamespace<ShardDirectoryActor>;
  KEY_MANAGER: DurableObjectNamespace<KeyManagerActor>;
  DB: D1Database;
  ISSUER?: string;
  SHARD_COUNT?: string;
  ADMIN_TOKEN?: string;
  MAP_CACHE_TTL_MS?: string;
  SHARD_RETRY_BUDGET_MS?: string;
  ACCESS_TOKEN_TTL_S?: string;
  ID_TOKEN_TTL_S?: string;
  CODE_TTL_S?: string;
  SESSION_IDLE_TTL_S?: string;
  SESSION_MAX_TTL_S?: string;
  KEY_ROTATION_INTERVAL_S?: string;
  KEY_CACHE_TTL_MS?: string;
  INTERACTION_TTL_S?: string;
  CLIENT_CACHE_TTL_MS?: string;
  REFRESH_IDLE_TTL_S?: string;
  REFRESH_MAX_TTL_S?: string;
  REFRESH_GRACE_S?: string;
  /** "1" turns on load/metrics mode (src/router/metrics.ts): call counting and /admin/metrics. */
  METRICS?: string;
}
