import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import type { JWTPayload } from "jose";
import type { Env } from "../../env";
import { authenticateClient } from "../clients/authenticate";
import { bucketOfArtifact } from "../../oauth/artifacts";
import { sha256 } from "../../oauth/secrets";
import { bucketOf } from "../../shard/bucket";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../config";
import { OAuthError, invalidRequest } from "../errors";
import { formParams, type Params } from "../http/params";
import { verifyJwt } from "../keys/cache";
import { callShard } from "../shards/call";
import { ACCESS_TOKEN_TYP } from "../tokens/issue";
import type { AppEnv } from "../types";
import { isUserId } from "../users/service";

/**
 * A revoked access token is remembered this long past its `exp`: longer than the
 * clock tolerance any verifier grants (30 s in keys/cache.ts), so a token can never
 * verify again after its entry is gone.
 */
const REVOKED_MARGIN_S = 60;

/** Where a user's access token lives: its user's shard, and the grant it came from. */
export interface UserTokenRef {
  bucket: number;
  userId: string;
  grantId: string;
}

/** A token presented to /revoke or /introspect, recognised by its format alone. */
export type PresentedToken =
  | {
      kind: "access";
      /** Null for a client's own token (client_credentials): it has no user, no grant and no shard state. */
      user: UserTokenRef | null;
      jti: string;
      clientId: string;
      scope: string;
      exp: number;
      iat: number;
      payload: JWTPayload;
    }
  | { kind: "refresh"; bucket: number; tokenHash: string }
  | { kind: "unknown" };

const UNKNOWN: PresentedToken = { kind: "unknown" };

/**
 * What a presented token is. The two formats cannot be confused (refresh tokens
 * are `r.<bucket>.<grant>.<secret>`, access tokens are JWTs), so `token_type_hint`
 * is never needed and is ignored (RFC 7009 §2.1 / RFC 7662 §2.1 let the server
 * do that). Only an access token that verifies as ours (signature, issuer,
 * `typ: at+jwt`, not expired) is one; anything else is unknown. Any audience is
 * accepted: a token exchanged for an API (RFC 8693) names that API.
 */
export async function readPresentedToken(env: Env, config: Config, token: string): Promise<PresentedToken> {
  if (token.startsWith("r.")) {
    const bucket = bucketOfArtifact("r", token);
    return bucket === null ? UNKNOWN : { kind: "refresh", bucket, tokenHash: await sha256(token) };
  }
  const verified = await verifyJwt(env, config, token, { typ: ACCESS_TOKEN_TYP });
  if (!verified.ok) return UNKNOWN;
  const payload = verified.payload;
  const { sub, gid, jti, client_id: clientId, scope, exp, iat } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof jti !== "string" || typeof clientId !== "string" || typeof scope !== "string") return UNKNOWN;
  if (typeof exp !== "number" || typeof iat !== "number") return UNKNOWN;
  let user: UserTokenRef | null = null;
  if (gid !== undefined) {
    if (typeof gid !== "string" || !isUserId(sub)) return UNKNOWN;
    user = { bucket: bucketOf(sub), userId: sub, grantId: gid };
  }
  return { kind: "access", user, jti, clientId, scope, exp, iat, payload };
}

/** Client authentication as at /token (RFC 7009 §2.1, RFC 7662 §2.1): public clients name themselves with client_id. */
export function authenticateCaller(c: Context<AppEnv>, params: Params): Promise<RegisteredClient> {
  return authenticateClient(c.env, c.var.config, {
    authorization: c.req.header("Authorization") ?? null,
    clientId: params.get("client_id"),
    clientSecret: params.get("client_secret"),
  });
}

export function requiredToken(params: Params): string {
  const token = params.get("token");
  if (token === undefined) throw invalidRequest("token is missing");
  return token;
}

/**
 * Revokes what the token stands for, if it was issued to `client`: an access token
 * by its jti, a refresh token with its whole family (and so every access token of
 * its grant). Tokens of other clients, unknown and expired tokens are left alone.
 * A client's own client_credentials token has no state anywhere to revoke.
 */
async function revokePresented(env: Env, config: Config, client: RegisteredClient, presented: PresentedToken): Promise<void> {
  if (presented.kind === "access") {
    // The signed client_id says whose token it is; the shard binds the jti to the token's user and grant.
    if (presented.clientId !== client.clientId) return;
    if (presented.user === null) {
      // §2.2.1: said plainly, so the client does not believe a live token is dead.
      throw new OAuthError("unsupported_token_type", 400, "client_credentials access tokens cannot be revoked; they expire on their own");
    }
    const input = { ...presented.user, jti: presented.jti, clientId: client.clientId, expiresAt: (presented.exp + REVOKED_MARGIN_S) * 1000 };
    revoked(await callShard(env, config, input.bucket, (shard) => shard.revokeAccess(input)));
  } else if (presented.kind === "refresh") {
    const input = { bucket: presented.bucket, tokenHash: presented.tokenHash, clientId: client.clientId };
    revoked(await callShard(env, config, input.bucket, (shard) => shard.revokeRefresh(input)));
  }
}

/** The shard has no domain failure for revocation; should one appear, 200 would claim a revocation that did not happen. */
function revoked(result: { ok: true } | { ok: false; error: string; detail?: string }): void {
  if (!result.ok) throw new OAuthError("server_error", 500, "the token could not be revoked", { detail: result.detail ?? result.error });
}

/**
 * Token revocation (RFC 7009 §2). The client authenticates as at /token; then the
 * answer is 200 with an empty body whether or not anything was revoked (§2.2):
 * an unknown, expired or malformed token, or another client's token, is not an
 * error, and the answer does not tell which of these it was.
 */
async function revoke(c: Context<AppEnv>): Promise<Response> {
  const params = await formParams(c);
  const client = await authenticateCaller(c, params);
  const token = requiredToken(params);
  await revokePresented(c.env, c.var.config, client, await readPresentedToken(c.env, c.var.config, token));
  c.header("Cache-Control", "no-store");
  c.header("Pragma", "no-cache");
  return c.body(null, 200);
}

export const revokeEndpoint = new Hono<AppEnv>()
  // Browser apps (public clients) revoke their own tokens at sign-out, from their own origin, as they call /token.
  .use("/revoke", cors({ origin: "*", allowMethods: ["POST"], allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }))
  .post("/revoke", revoke);
