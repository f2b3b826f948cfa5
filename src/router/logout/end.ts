import type { Env } from "../../env";
import { bucketOf } from "../../shard/bucket";
import type { SessionRef } from "../authorize/session-cookie";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import type { IdTokenHint } from "./request";
import { survivingClients } from "./surviving-clients";
import type { EndContext, Ended } from "../../actors/user-shard/api";

async function contextFor(env: Env, config: Config, client: RegisteredClient | null, initiator: EndContext["initiator"]): Promise<EndContext> {
  return { survivingClients: await survivingClients(env, config, client), initiator, clientId: client?.clientId ?? null };
}


/**
 * Ends the browser's own session (its cookie) in one shard call. With a hint, a
 * session of another user is left alone and reported as "other_user".
 */
export async function endBrowserSession(
  env: Env,
  config: Config,
  session: SessionRef,
  expectedSub: string | null,
  client: RegisteredClient | null,
  initiator: EndContext["initiator"],
): Promise<Ended> {
  if (expectedSub !== null && bucketOf(expectedSub) !== session.bucket) return { outcome: "other_user" };
  const context = await contextFor(env, config, client, initiator);
  const result = await callShard(env, config, session.bucket, (shard) => shard.endSession(session.bucket, session.hash, expectedSub, context));
  if (!result.ok) throw shardFailure(result, "change", "ending the session");
  return result;
}

/**
 * Ends the session named by the hint's `sid` when the browser sent no cookie: a
 * form POST from the RP's site is cross-site, and a SameSite=Lax cookie does not
 * travel with it. The signed hint is the proof that the RP may end that session.
 */
export async function endHintedSession(env: Env, config: Config, hint: IdTokenHint, client: RegisteredClient | null): Promise<Ended> {
  if (hint.sid === null) return { outcome: "no_session" };
  const sid = hint.sid;
  const bucket = bucketOf(hint.sub);
  const context = await contextFor(env, config, client, "rp");
  const result = await callShard(env, config, bucket, (shard) => shard.endSessionBySid(bucket, hint.sub, sid, context));
  if (!result.ok) {
    if (result.error === "not_found") return { outcome: "no_session" };
    throw shardFailure(result, "change", "ending the session");
  }
  return result;
}
