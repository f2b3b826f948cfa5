import type { Failure } from "../../actors/results";
import type { PasskeyOp, PasskeyResults } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { callShard } from "../shards/call";

type Kind = PasskeyOp["kind"];

/** The shard's `passkey` method, with each operation's answer typed by its kind. */
export async function passkeyCall<K extends Kind>(env: Env, config: Config, op: Extract<PasskeyOp, { kind: K }>): Promise<({ ok: true } & PasskeyResults[K]) | Failure> {
  const result = await callShard(env, config, op.bucket, (shard) => shard.passkey(op));
  return result as ({ ok: true } & PasskeyResults[K]) | Failure;
}
