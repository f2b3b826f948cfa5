import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { browserCors } from "../http/cors";
import type { Env } from "../../env";
import { authenticateCaller } from "../clients/authenticate";
import type { RegisteredClient } from "../clients/registry";
import type { Config } from "../../config";
import { OAuthError } from "../errors";
import { formParams, required } from "../http/params";
import { callShard } from "../shards/call";
import { readPresentedToken, type PresentedToken } from "../tokens/presented-token";
import type { AppEnv } from "../types";
import { noStore } from "../no-store";
import { limitByAddress } from "../rate-limit/middleware";
import { TOKEN_IP } from "../rate-limit/rules";
import { shardFailure } from "../shard-errors";

/**
 * A revoked access token is remembered this long past its `exp`: longer than the
 * clock tolerance any verifier grants (30 s in keys/cache.ts), so a token can never
 * verify again after its entry is gone.
 */
const REVOKED_MARGIN_S = 60;

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
    const input = { bucket: presented.bucket, grantId: presented.grantId, tokenHash: presented.tokenHash, clientId: client.clientId };
    revoked(await callShard(env, config, input.bucket, (shard) => shard.revokeRefresh(input)));
  }
}

/** The shard has no domain failure for revocation; should one appear, 200 would claim a revocation that did not happen. */
function revoked(result: { ok: true } | { ok: false; error: string; detail?: string }): void {
  if (!result.ok) throw shardFailure(result, "change", "the revocation");
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
  const token = required(params, "token");
  await revokePresented(c.env, c.var.config, client, await readPresentedToken(c.env, c.var.config, token));
  return c.body(null, 200);
}

export const revokeEndpoint = new Hono<AppEnv>()
  // Browser apps (public clients) revoke their own tokens at sign-out, from their own origin, as they call /token.
  .use("/revoke", browserCors(["POST"]))
  .use("/revoke", noStore({ pragma: true }))
  .use("/revoke", limitByAddress(TOKEN_IP))
  .post("/revoke", revoke);
