import type { Env } from "../../env";
import type { Config } from "../../config";
import { OAuthError, invalidRequest } from "../errors";
import type { Params } from "../http/params";
import { REQUEST_URI_REFUSED, shardFailure } from "../shard-errors";
import { callShard } from "../shards/call";
import { parseRequestUri } from "./request-uri";

/**
 * /authorize with a request_uri (RFC 9126 §4): the pushed parameters, taken once from
 * the shard of the request_uri's bucket, and only they — the query's other parameters
 * are ignored, except client_id, which must name the client that pushed. Every refusal
 * is invalid_request_uri on a page: without the pushed request there is no redirect
 * URI anyone vouched for.
 */
export async function takePushedParams(env: Env, config: Config, query: Params, requestUri: string): Promise<Params> {
  const clientId = query.get("client_id");
  if (!clientId) throw invalidRequest("client_id is missing");
  const ref = await parseRequestUri(requestUri);
  if (!ref) throw new OAuthError("invalid_request_uri", 400, REQUEST_URI_REFUSED, { detail: "not a request_uri of this provider" });
  const result = await callShard(env, config, ref.bucket, (shard) => shard.takePushedRequest({ bucket: ref.bucket, requestHash: ref.hash, clientId }));
  if (!result.ok) throw shardFailure(result, "request_uri", "reading the pushed request");
  return new Map(Object.entries(result.params));
}
