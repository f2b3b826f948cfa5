import type { Env } from "../../env";
import type { Config } from "../../config";
import { signJwt } from "../keys/cache";
import type { JarmSigning } from "./response-mode";

/** JARM §2.1: a response JWT is short-lived — it only has to reach the client's redirect URI. */
export const JARM_TTL_S = 60;

/**
 * The authorization response (code, state or error, error_description, state; iss
 * always) as a JWT signed with the provider's key, for the client (`aud`), with the
 * client's registered `authorization_signed_response_alg` (JARM §2.1, §3). Not
 * encrypted: `authorization_encrypted_response_alg` is not supported.
 */
export async function jarmResponse(env: Env, config: Config, to: JarmSigning, fields: Record<string, string>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(env, config, to.alg, { ...fields, iss: config.issuer, aud: to.clientId, iat: now, exp: now + JARM_TTL_S }, { typ: "JWT" });
}
