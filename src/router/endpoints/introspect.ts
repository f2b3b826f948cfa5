import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { Env } from "../../env";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { authenticateCaller } from "../clients/authenticate";
import { formParams, required } from "../http/params";
import { callShard } from "../shards/call";
import { readPresentedToken, type PresentedToken } from "../tokens/presented-token";
import type { AppEnv } from "../types";
import { subjectFor } from "../clients/subject";
import { noStore } from "../no-store";
import { boundKeyOf } from "../dpop/resource";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";

/** RFC 7662 §2.2: an inactive token gets `active: false` and nothing else, whatever the reason. */
const INACTIVE = { active: false } as const;

type Introspection = typeof INACTIVE | ({ active: true } & Record<string, unknown>);

/**
 * RFC 7662 §2.1 requires the caller to be authorized, and §4 warns that an open
 * endpoint lets anyone probe tokens. Only confidential clients may call it: a
 * public client "authenticates" with its client_id alone, which anyone can copy
 * out of a browser app.
 */
function requireConfidential(client: RegisteredClient): void {
  if (client.tokenEndpointAuthMethod === "none" || client.clientType !== "confidential") {
    throw new OAuthError("invalid_client", 401, "token introspection requires client authentication with a secret (confidential clients only)", {
      detail: `public client ${client.clientId} called /introspect`,
      headers: { "WWW-Authenticate": 'Basic realm="authshard"' },
    });
  }
}

/**
 * An access token is active when it verifies, has not expired by our clock (no
 * tolerance: §2.2 says an expired token is inactive) and, for a user's token, the
 * shard says it is live (grant, jti, session, user) — one shard call. A client's
 * own token (client_credentials) has no state: its expiry is its only limit.
 */
async function introspectAccess(env: Env, config: Config, client: RegisteredClient, token: Extract<PresentedToken, { kind: "access" }>): Promise<Introspection> {
  if (token.exp <= Math.floor(Date.now() / 1000)) return INACTIVE;
  if (token.user !== null) {
    const { bucket, userId, grantId } = token.user;
    const result = await callShard(env, config, bucket, (shard) => shard.introspectAccess(bucket, userId, grantId, token.jti));
    if (!result.ok || !result.active) return INACTIVE;
  }
  const { payload } = token;
  return {
    active: true,
    scope: token.scope,
    client_id: token.clientId,
    // OIDC Core §8.1: the user as this client sees them (its pairwise sub), as in its ID token and /userinfo.
    sub: token.user === null ? payload.sub : await subjectFor(config, client, token.user.userId),
    exp: token.exp,
    iat: token.iat,
    ...(typeof payload.nbf === "number" ? { nbf: payload.nbf } : {}),
    aud: payload.aud,
    iss: payload.iss,
    jti: token.jti,
    // RFC 9449 §6.2: a DPoP-bound token is introspected with its key's thumbprint.
    ...dpopIntrospection(payload),
    ...(typeof payload.sid === "string" ? { sid: payload.sid } : {}),
    // RFC 8693 §4.1: who acts for the subject, for a token obtained by exchange.
    ...(payload.act !== undefined ? { act: payload.act } : {}),
  };
}

/** RFC 9449 §6.2: token_type DPoP and cnf.jkt for a bound token; Bearer otherwise. */
function dpopIntrospection(payload: PresentedAccessPayload): { token_type: "DPoP" | "Bearer"; cnf?: { jkt: string } } {
  const jkt = boundKeyOf(payload);
  return jkt === null ? { token_type: "Bearer" } : { token_type: "DPoP", cnf: { jkt } };
}

type PresentedAccessPayload = Extract<PresentedToken, { kind: "access" }>["payload"];

/** A refresh token is active while /token would rotate it; the shard only reads (a retired token is not theft here). */
async function introspectRefresh(
  env: Env,
  config: Config,
  client: RegisteredClient,
  token: Extract<PresentedToken, { kind: "refresh" }>,
): Promise<Introspection> {
  const input = { bucket: token.bucket, grantId: token.grantId, tokenHash: token.tokenHash, clientId: client.clientId };
  const result = await callShard(env, config, input.bucket, (shard) => shard.introspectRefresh(input));
  if (!result.ok || !result.active) return INACTIVE;
  return {
    active: true,
    scope: result.scope,
    client_id: result.clientId,
    sub: await subjectFor(config, client, result.userId),
    exp: result.exp,
    iat: result.iat,
    // A refresh token is presented only to this issuer's token endpoint.
    aud: config.issuer,
    iss: config.issuer,
    token_type: "refresh_token",
    ...(result.sid !== null ? { sid: result.sid } : {}),
  };
}

/**
 * Token introspection (RFC 7662). Policy: a client learns about the tokens issued
 * to itself only; any other client's token is `active: false`, exactly like an
 * unknown one, so the endpoint is no oracle for tokens the caller does not own.
 */
async function introspect(c: Context<AppEnv>): Promise<Response> {
  const config = c.var.config;
  const params = await formParams(c);
  const client = await authenticateCaller(c, params);
  requireConfidential(client);
  const presented = await readPresentedToken(c.env, config, required(params, "token"));
  let body: Introspection = INACTIVE;
  if (presented.kind === "access" && presented.clientId === client.clientId) body = await introspectAccess(c.env, config, client, presented);
  else if (presented.kind === "refresh") body = await introspectRefresh(c.env, config, client, presented);
  return c.json(body);
}

// No CORS: introspection is for resource servers and confidential back ends, never for a browser.
// §4: the answer describes a live credential; no cache may keep it.
export const introspectEndpoint = new Hono<AppEnv>()
  .use("/introspect", noStore({ pragma: true }))
  .use("/introspect", limitByAddress(TOKEN_IP))
  .post("/introspect", introspect);
