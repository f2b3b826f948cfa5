import { Hono } from "hono/tiny";
import { bucketOf } from "../../../shard/bucket";
import { notFound } from "../../errors";
import { shardFailure } from "../../shard-errors";
import { callShard } from "../../shards/call";
import type { AppEnv } from "../../types";
import { isUserId } from "../../users/service";

/**
 * Operator API for a user's linked upstream identities (README "Sign in with other providers
 * (federation)"), mounted under /admin/users: one call to the user's shard (the federation
 * method's list). The upstream's sealed tokens never leave the shard; only whether they are kept.
 */
export const adminIdentities = new Hono<AppEnv>().get("/:id/identities", async (c) => {
  const userId = c.req.param("id");
  if (!isUserId(userId)) throw notFound("no such user");
  const bucket = bucketOf(userId);
  const result = await callShard(c.env, c.var.config, bucket, (shard) => shard.federation({ op: "list", bucket, userId }));
  if (!result.ok && result.error === "not_found") throw notFound("no such user");
  if (!result.ok) throw shardFailure(result, "user", "the identity listing");
  const identities = (result.links ?? []).map((l) => ({
    provider: l.provider, subject: l.subject, email: l.email, linked_at: l.linked_at, last_sign_in_at: l.last_sign_in_at, tokens_kept: l.tokens_kept,
  }));
  return c.json({ user_id: userId, identities });
});
