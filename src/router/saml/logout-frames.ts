import type { Ended } from "../../actors/user-shard/api";
import type { Config } from "../../config";
import type { Env } from "../../env";

/**
 * SAML front-channel single logout (SAML Profiles §4.4, IdP-initiated, HTTP-Redirect binding):
 * the URLs the logout page frames, one signed LogoutRequest for each SP that got an assertion
 * in the ended session and registered a SingleLogoutService over HTTP-Redirect, naming the
 * NameID and SessionIndex its assertion carried. `except` is the SP that asked for the logout
 * (it gets a LogoutResponse instead). An SP the registry cannot produce right now, or one
 * without a redirect SLO endpoint, is left out: the session has ended anyway.
 */
export async function samlLogoutFrames(env: Env, config: Config, ended: Ended, except: string | null = null): Promise<string[]> {
  if (ended.outcome !== "ended") return [];
  const participants = ended.samlParticipants.filter((p) => p.entityId !== except);
  if (participants.length === 0) return [];
  // The signing and XML code loads only for a session that used SAML (see ../lazy.ts).
  const { signedLogoutFrames } = await import("./logout-frame-urls");
  return signedLogoutFrames(env, config, ended.userId, participants);
}
