import type { Env } from "../../env";
import { bucketOf } from "../../shard/bucket";
import type { Config } from "../../config";
import { notFound, OAuthError } from "../errors";
import { survivingClients } from "../logout/surviving-clients";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { isUserId } from "./service";
import type { EndContext, SessionView } from "../../actors/user-shard/api";

/** Operator view of a user's sessions: list them, end one, end all (each one shard call). */

const SID = /^[A-Za-z0-9_-]{22}$/;

function userBucket(userId: string): number {
  if (!isUserId(userId)) throw notFound("no such user");
  return bucketOf(userId);
}

/**
 * What the operator's ending spares: by default exactly what a logout spares (the
 * offline families of clients with offline_survives_logout); with `includeOffline`
 * nothing, for an account that must lose all access at once.
 */
async function operatorContext(env: Env, config: Config, includeOffline: boolean): Promise<EndContext> {
  return { survivingClients: includeOffline ? [] : await survivingClients(env, config, null), initiator: "operator", clientId: null };
}


export async function listUserSessions(env: Env, config: Config, userId: string): Promise<SessionView[]> {
  const bucket = userBucket(userId);
  const result = await callShard(env, config, bucket, (shard) => shard.listSessions(bucket, userId));
  if (!result.ok) {
    throw shardFailure(result, "user", "listing the sessions");
  }
  return result.sessions;
}

/** True when this call ended it; false when it had ended before (the call is idempotent). */
export async function endUserSession(env: Env, config: Config, userId: string, sid: string, includeOffline: boolean): Promise<boolean> {
  const bucket = userBucket(userId);
  if (!SID.test(sid)) throw notFound("no such session");
  const context = await operatorContext(env, config, includeOffline);
  const result = await callShard(env, config, bucket, (shard) => shard.endSessionBySid(bucket, userId, sid, context));
  if (!result.ok) {
    throw shardFailure(result, "session", "ending the session");
  }
  return result.outcome === "ended";
}

/** The sids this call ended. */
export async function endAllUserSessions(env: Env, config: Config, userId: string, includeOffline: boolean): Promise<string[]> {
  const bucket = userBucket(userId);
  const context = await operatorContext(env, config, includeOffline);
  const result = await callShard(env, config, bucket, (shard) => shard.endAllSessions(bucket, userId, context));
  if (!result.ok) {
    throw shardFailure(result, "user", "ending the sessions");
  }
  return result.ended;
}
