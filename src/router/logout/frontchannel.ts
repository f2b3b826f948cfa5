import type { Ended } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import type { Env } from "../../env";
import { getClient } from "../clients/registry";

/**
 * OpenID Connect Front-Channel Logout 1.0 §3: the URLs the logout page frames, one per client
 * of the ended session that registered a `frontchannel_logout_uri`, with `iss` and `sid` when
 * the client asked for them (`frontchannel_logout_session_required`). A client the registry
 * cannot produce right now (D1 down, nothing cached) is left out: the session has ended anyway,
 * and its back-channel notification, if it has one, still goes out.
 */
export async function frontchannelFrames(env: Env, config: Config, ended: Ended): Promise<string[]> {
  if (ended.outcome !== "ended") return [];
  const clients = await Promise.all(ended.clients.map((id) => getClient(env, config, id).catch(() => null)));
  return clients.flatMap((client) => {
    if (!client?.frontchannelLogoutUri) return [];
    const url = new URL(client.frontchannelLogoutUri);
    if (client.frontchannelLogoutSessionRequired) {
      url.searchParams.set("iss", config.issuer);
      url.searchParams.set("sid", ended.sid);
    }
    return [url.href];
  });
}
