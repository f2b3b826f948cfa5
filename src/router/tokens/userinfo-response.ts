import type { Context } from "hono";
import type { Config } from "../../config";
import type { Env } from "../../env";
import type { RegisteredClient } from "../clients/registry";
import { signJwt } from "../keys/cache";
import { encryptFor } from "./seal";

/** OIDC Core §5.3.2: a signed or encrypted UserInfo response is a JWT of this media type. */
export const JWT_MEDIA_TYPE = "application/jwt";

/**
 * The UserInfo response body (OIDC Core §5.3.2) for `client`: JSON unless it
 * registered userinfo_signed_response_alg or userinfo_encrypted_response_alg.
 *
 * - signed: a JWT signed with our key of that alg, with `iss` and `aud` (the client) added;
 * - signed and encrypted: that JWT, then encrypted to the client's key (nested, `cty: "JWT"`);
 * - encrypted only: the claims (with `iss` and `aud`) as the JWE's plaintext, which §5.3.2 allows.
 *
 * No `iat`/`exp`: a UserInfo JWT is not meant to be replayed as anything else, and
 * without them our own verifier refuses it as an ID token hint or access token.
 */
export async function userinfoBody(env: Env, config: Config, client: RegisteredClient | null, claims: Record<string, unknown>): Promise<{ body: string; type: string } | null> {
  if (client === null || (client.userinfoSignedResponseAlg === null && client.userinfoEncryption === null)) return null;
  const payload = { ...claims, iss: config.issuer, aud: client.clientId };
  const signed = client.userinfoSignedResponseAlg === null ? null : await signJwt(env, config, client.userinfoSignedResponseAlg, payload);
  const encryption = client.userinfoEncryption;
  if (encryption === null) return { body: signed!, type: JWT_MEDIA_TYPE };
  const sealed = signed === null ? await encryptFor(env, client, encryption, JSON.stringify(payload)) : await encryptFor(env, client, encryption, signed, "JWT");
  return { body: sealed, type: JWT_MEDIA_TYPE };
}

/** The response: JSON for a client that asked for nothing else, else the JWT body. */
export async function userinfoResponse(c: Context, config: Config, client: RegisteredClient | null, claims: Record<string, unknown>): Promise<Response> {
  const jwt = await userinfoBody(c.env as Env, config, client, claims);
  if (jwt === null) return c.json(claims);
  return c.body(jwt.body, 200, { "Content-Type": jwt.type });
}
