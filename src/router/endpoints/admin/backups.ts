import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { BUCKET_COUNT } from "../../../shard/bucket";
import { isBackupId } from "../../../shard/backup-manifest";
import { directoryRpc } from "../../../shard/rpc";
import { reindexEmails } from "../../d1/user-emails";
import { invalidRequest } from "../../errors";
import { forgetMap } from "../../shards/map-cache";
import type { AppEnv } from "../../types";
import { readJson } from "./body";
import { orThrow } from "./directory-result";
import { intParam } from "./shards";
import type { BackupBucketResponse, BackupFinishResponse, BackupListResponse, BackupManifestResponse, BackupStartResponse, RestoreResponse, RollbackResponse } from "./backup-responses";

const holder = z.string().check(z.minLength(1), z.maxLength(200));
const shardName = z.string().check(z.regex(/^shard-\d+$/, "must be a shard name like shard-3"));
const restoreBody = z.strictObject({
  holder,
  bucket: z.number().check(z.int(), z.minimum(0), z.maximum(BUCKET_COUNT - 1)),
  to: z.optional(shardName),
  force: z.optional(z.boolean()),
});
/** `at` is an ISO 8601 time with its zone (2026-03-21T10:15:00Z): a time without one means different instants to different people. */
const isoTime = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, "must be an ISO 8601 time with a zone, e.g. 2026-03-21T10:15:00Z"));
const rollbackBody = z.strictObject({ holder, at: z.optional(isoTime), bookmark: z.optional(z.string().check(z.minLength(1), z.maxLength(200))), force: z.optional(z.boolean()) });

function backupId(raw: string): string {
  if (!isBackupId(raw)) throw invalidRequest(`not a backup id: ${JSON.stringify(raw)} (ids look like 20260321T101500Z-1a2b3c)`);
  return raw;
}

/**
 * Operator API for backups of shard data to R2 and restores from them. A backup is
 * driven bucket by bucket (the CLI runs several at once): start → each listed bucket
 * → finish, which writes the manifest. Each route makes one directory call; the
 * restore also puts the restored users' emails back in the D1 index.
 */
export const adminBackups = new Hono<AppEnv>()
  .get("/", async (c) => {
    const limit = intParam("limit", c.req.query("limit") ?? "20", 1, 100);
    return c.json(orThrow(await directoryRpc(c.env).listBackups(limit)) satisfies BackupListResponse);
  })
  .post("/", async (c) => c.json(orThrow(await directoryRpc(c.env).startBackup()).backup satisfies BackupStartResponse, 201))
  .get("/:id", async (c) => c.json(orThrow(await directoryRpc(c.env).getBackup(backupId(c.req.param("id")))).manifest satisfies BackupManifestResponse))
  .post("/:id/buckets/:bucket", async (c) => {
    const bucket = intParam("bucket", c.req.param("bucket"), 0, BUCKET_COUNT - 1);
    return c.json({ entry: orThrow(await directoryRpc(c.env).backupBucket(backupId(c.req.param("id")), bucket)).entry } satisfies BackupBucketResponse);
  })
  .post("/:id/finish", async (c) => c.json(orThrow(await directoryRpc(c.env).finishBackup(backupId(c.req.param("id")))).backup satisfies BackupFinishResponse))
  .post("/:id/restore", async (c) => {
    const id = backupId(c.req.param("id"));
    const body = await readJson(c, restoreBody);
    const options = { holder: body.holder, ...(body.to ? { to: body.to } : {}), ...(body.force ? { force: true } : {}) };
    const { emails, ...restored } = orThrow(await directoryRpc(c.env).restoreBucket(id, body.bucket, options)).restored;
    if (restored.previous_owner) forgetMap();
    // The rows are restored whatever happens here; a failed index update is reported, and a second restore (already_restored) redoes it.
    const indexed = await reindexEmails(c.env.DB, emails).catch((error: unknown) => ({ added: 0, conflicts: [], error: error instanceof Error ? error.message : String(error) }));
    return c.json({ ...restored, email_index: { users: emails.length, ...indexed } } satisfies RestoreResponse);
  });

/** Point-in-time recovery of one shard (Durable Object storage history, 30 days). */
export const adminShardRollback = new Hono<AppEnv>().post("/:shard/pitr", async (c) => {
  const shard = c.req.param("shard");
  if (!/^shard-\d+$/.test(shard)) throw invalidRequest(`not a shard name: ${JSON.stringify(shard)}`);
  const body = await readJson(c, rollbackBody);
  if ((body.at === undefined) === (body.bookmark === undefined)) throw invalidRequest("give exactly one of at (an ISO 8601 time) and bookmark");
  const target = body.at !== undefined ? { at: Date.parse(body.at) } : { bookmark: body.bookmark! };
  if ("at" in target && !Number.isFinite(target.at)) throw invalidRequest(`at: not a valid time: ${JSON.stringify(body.at)}`);
  const rolled = orThrow(await directoryRpc(c.env).rollbackShard(shard, target, { holder: body.holder, force: body.force === true })).rollback;
  forgetMap();
  return c.json(rolled satisfies RollbackResponse);
});
