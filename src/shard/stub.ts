import type { Env } from "../env";

/** The Durable Object stub of the user shard named `shardName` (e.g. "shard-3"). */
export function stubFor(env: Pick<Env, "USER_SHARD">, shardName: string) {
  if (typeof shardName !== "string" || shardName.length === 0) {
    throw new TypeError("stubFor: shardName must be a non-empty string");
  }
  return env.USER_SHARD.get(env.USER_SHARD.idFromName(shardName));
}

/** The one ShardDirectoryActor of a deployment. */
export function directoryStub(env: Pick<Env, "SHARD_DIRECTORY">) {
  return env.SHARD_DIRECTORY.get(env.SHARD_DIRECTORY.idFromName("directory"));
}

/** The one KeyManagerActor of a deployment. */
export function keyManagerStub(env: Pick<Env, "KEY_MANAGER">) {
  return env.KEY_MANAGER.get(env.KEY_MANAGER.idFromName("keys"));
}
