import { Hono } from "hono/tiny";
import { bucketOf } from "../../../shard/bucket";
import { notFound, OAuthError } from "../../errors";
import { LdapUnavailable } from "../../ldap/directory";
import { syncDirectory } from "../../ldap/sync";
import { callShard } from "../../shards/call";
import type { AppEnv } from "../../types";
import { isUserId } from "../../users/service";

/**
 * Operator API for LDAP / Active Directory: an immediate sync (the cron runs the same one),
 * and a user's directory link (DN, groups, mapped roles, state).
 */
export const adminLdap = new Hono<AppEnv>().post("/sync", async (c) => {
  const config = c.var.config;
  if (!config.ldap) throw new OAuthError("invalid_request", 409, "no directory is configured (LDAP_URL is not set)");
  if (config.ldap.bindDn === null) throw new OAuthError("invalid_request", 409, "listing the directory needs a service account (LDAP_BIND_DN); direct bind signs people in only");
  try {
    return c.json({ summary: await syncDirectory(c.env, config) });
  } catch (error) {
    if (!(error instanceof LdapUnavailable)) throw error;
    throw new OAuthError("temporarily_unavailable", 503, "the directory could not be reached; the sync stopped (running it again is safe)", { detail: error.message });
  }
});

export const adminUserLdap = new Hono<AppEnv>().get("/:id/ldap", async (c) => {
  const id = c.req.param("id");
  if (!isUserId(id)) throw notFound("no such user");
  const bucket = bucketOf(id);
  const result = await callShard(c.env, c.var.config, bucket, (shard) => shard.directoryLink(bucket, id));
  if (!result.ok) throw notFound("no such user");
  if (!result.link) throw notFound("the user does not come from the directory");
  return c.json({ ldap: result.link });
});
