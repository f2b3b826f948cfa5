import type { DirectoryApi } from "../actors/directory/api";
import type { KeyManagerApi } from "../actors/key-manager/api";
import { TRACED_METHODS, type UserShardApi } from "../actors/user-shard/api";
import type { Env } from "../env";
import { directoryStub, keyManagerStub, stubFor } from "./stub";

/**
 * An actor's RPC contract as its callers see it: every method returns a promise of
 * the plain value. (Workers RPC stub types wrap results in types that do not narrow
 * on `ok`; the values themselves are plain, so this is the one place that says so.)
 */
export type Rpc<Api> = {
  [K in keyof Api]: Api[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export type ShardStub = Rpc<UserShardApi>;
export type DirectoryStub = Rpc<DirectoryApi>;
export type KeyManagerStub = Rpc<KeyManagerApi>;

/** The user shard named `name` (e.g. "shard-3"), typed by its contract. */
export function shardRpc(env: Pick<Env, "USER_SHARD">, name: string): ShardStub {
  return stubFor(env, name) as unknown as ShardStub;
}

/** The deployment's one ShardDirectoryActor, typed by its contract. */
export function directoryRpc(env: Pick<Env, "SHARD_DIRECTORY">): DirectoryStub {
  return directoryStub(env) as unknown as DirectoryStub;
}

/** The deployment's one KeyManagerActor, typed by its contract. */
export function keyManagerRpc(env: Pick<Env, "KEY_MANAGER">): KeyManagerStub {
  return keyManagerStub(env) as unknown as KeyManagerStub;
}

const traced = new Set<string>(TRACED_METHODS);

/**
 * The same shard, with every traced operation sent through `traced(requestId, …)`: still one
 * RPC call per operation, now carrying the request id into the actor.
 */
export function tracedShard(stub: ShardStub, requestId: string): ShardStub {
  return new Proxy(stub, {
    get(target, prop) {
      if (typeof prop !== "string" || !traced.has(prop)) return Reflect.get(target, prop);
      return (...args: unknown[]) => target.traced(requestId, prop as (typeof TRACED_METHODS)[number], args);
    },
  });
}
