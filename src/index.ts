import { env } from "cloudflare:workers";
import type { Env } from "./env";
import { app } from "./router/app";
import { loadConfig } from "./router/config";

export { KeyManagerActor } from "./actors/key-manager";
export { ShardDirectoryActor } from "./actors/shard-directory";
export { UserShardActor } from "./actors/user-shard";

// Validate configuration when the worker starts, so a misconfigured deployment
// fails at startup with a message naming the variable, not on some later request.
loadConfig(env as unknown as Env);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
