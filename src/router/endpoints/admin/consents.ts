import { Hono } from "hono/tiny";
import { bucketOf } from "../../../shard/bucket";
import { notFound } from "../../errors";
import { callShard } from "../../shards/call";
import type { AppEnv } from "../../types";
import { isUserId } from "../../users/service";
import { CLIENT_ID } from "../../clients/auth-methods";

function userParam(raw: string): { id: string; bucket: number } {
  if (!isUserId(raw)) throw notFound("no such user");
  return { id: raw, bucket: bucketOf(raw) };
}

/**
 * Operator API for consents, mounted under /admin/users: list what a user allowed,
 * and withdraw a client's consent — which ends that client's refresh families and
 * access tokens for the user in the same shard transaction.
 */
export const adminConsents = new Hono<AppEnv>()
  .get("/:id/consents", async (c) => {
    const user = userParam(c.req.param("id"));
    const result = await callShard(c.env, c.var.config, user.bucket, (shard) => shard.listConsents(user.bucket, user.id));
    if (!result.ok) throw notFound("no such user");
    return c.json({ consents: result.consents });
  })
  .delete("/:id/consents/:client", async (c) => {
    const user = userParam(c.req.param("id"));
    const clientId = c.req.param("client");
    if (!CLIENT_ID.test(clientId)) throw notFound("no consent for this client");
    const result = await callShard(c.env, c.var.config, user.bucket, (shard) => shard.revokeConsent(user.bucket, user.id, clientId));
    if (!result.ok) throw notFound("no such user");
    if (!result.revoked && result.grants === 0) throw notFound("no consent for this client");
    return c.json({ revoked: true, grants_revoked: result.grants });
  });
