import type { Env } from "../../env";
import type { Config } from "../../config";
import { accessTokenHash } from "../../oauth/claims";
import { formatScope, storedScope } from "../../oauth/scopes";
import type { RegisteredClient } from "../clients/registry";
import { signJwt } from "../keys/cache";
import { signAccessToken } from "../tokens/issue";
import { sealIdToken } from "../tokens/seal";
import { subjectFor, userRefClaim } from "../clients/subject";
import type { Authorized } from "../../actors/user-shard/api";
import type { AuthorizationRequest } from "./request";

type Issued = Extract<Authorized, { outcome: "issued" }>;

/** Whether `type` (canonical, space-separated) asks for `value`. */
const asks = (req: AuthorizationRequest, value: "id_token" | "token") => (req.responseType ?? "code").split(" ").includes(value);

/** The access token of the hybrid flow: as /token's, naming the grant stored with the code (OIDC Core §3.3.2.5). */
async function frontChannelAccessToken(env: Env, config: Config, req: AuthorizationRequest, issued: Issued, grantId: string, now: number) {
  const scope = formatScope(storedScope(req.scope).filter((s) => s !== "offline_access"));
  return signAccessToken(
    env,
    config,
    { sub: issued.userId, aud: config.issuer, clientId: req.clientId, scope, iat: now, exp: now + config.accessTokenTtlS },
    { auth_time: issued.authTime, acr: issued.acr, sid: issued.sid, gid: grantId },
  );
}

/**
 * The ID token of the hybrid flow (OIDC Core §3.3.2.11): bound to the request by
 * nonce, to the code by c_hash, to the access token by at_hash when one is returned,
 * and to state by s_hash (FAPI 1.0 Advanced §5.2.2.1). The user's profile claims come
 * from /userinfo or /token's ID token (OIDC Core §5.4), not from this one.
 */
async function frontChannelIdToken(env: Env, config: Config, client: RegisteredClient, req: AuthorizationRequest, issued: Issued, code: string, access: string | null, now: number) {
  const signed = await signJwt(
    env,
    config,
    client.idTokenSignedResponseAlg,
    {
      iss: config.issuer,
      // OIDC Core §8: the same sub as /token's ID token (pairwise for a pairwise client), and uref for its id_token_hint.
      sub: await subjectFor(config, client, issued.userId),
      ...(await userRefClaim(config, client, issued.userId)),
      aud: client.clientId,
      azp: client.clientId,
      iat: now,
      exp: now + config.idTokenTtlS,
      auth_time: issued.authTime,
      nonce: req.nonce,
      c_hash: await accessTokenHash(code),
      ...(access !== null ? { at_hash: await accessTokenHash(access) } : {}),
      ...(req.state !== null ? { s_hash: await accessTokenHash(req.state) } : {}),
      sid: issued.sid,
      acr: issued.acr,
      amr: issued.amr,
    },
    { typ: "JWT" },
  );
  // Encrypted after signing for a client that registered id_token_encrypted_response_alg (OIDC Core §10.2).
  return sealIdToken(env, client, signed);
}

/** The authorization response's fields: the code, and for the hybrid types the tokens beside it (OIDC Core §3.3.2.5). */
export async function authorizationFields(env: Env, config: Config, client: RegisteredClient, req: AuthorizationRequest, code: string, issued: Issued): Promise<Record<string, string>> {
  const fields: Record<string, string> = { code };
  const now = Math.floor(Date.now() / 1000);
  let access: string | null = null;
  if (asks(req, "token") && issued.accessGrantId !== null) {
    access = await frontChannelAccessToken(env, config, req, issued, issued.accessGrantId, now);
    Object.assign(fields, { access_token: access, token_type: "Bearer", expires_in: String(config.accessTokenTtlS) });
  }
  if (asks(req, "id_token")) fields.id_token = await frontChannelIdToken(env, config, client, req, issued, code, access, now);
  return fields;
}
