import { and, eq, isNull, lt } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import type { Env } from "../../env";
import { BACKUP_PREFIX, MANIFEST_FORMAT, isBackupId, manifestKey, newBackupId, parseManifest, summaryFromMetadata, summaryMetadata } from "../../shard/backup-manifest";
import type { BackupManifest, BackupSummary, ManifestBucket } from "../../shard/backup-manifest";
import { BUCKET_COUNT, isBucket } from "../../shard/bucket";
import { shardRpc } from "../../shard/rpc";
import { fail, ok } from "../results";
import type { BucketChecksum } from "../user-shard/api";
import type { DirectoryDb } from "./db";
import type { BackupStarted, DirectoryMap, DirectoryResult, FinishedBackup } from "./api";

/** A backup left running this long (its CLI died) is forgotten when the next one starts; its objects stay in R2. */
const ABANDONED_MS = 24 * 3_600_000;
/** Manifests kept parsed in memory: a restore of every bucket reads its manifest once, not 4096 times. */
const CACHED_MANIFESTS = 2;
/** Attempts at a bucket whose owner changes under the backup (a move flipped it meanwhile). */
const OWNER_ATTEMPTS = 3;

interface Deps {
  db: DirectoryDb;
  sql: SqlStorage;
  env: Env;
  /** The current map, acknowledged by every shard. */
  map(): Promise<DirectoryMap>;
}

/**
 * Backups of shard data to the BACKUPS bucket, as the directory keeps them: it knows
 * the owners, records which buckets a running backup has to visit and what each one
 * wrote, and writes the manifest at the end. Shards read and write the rows; the
 * directory only ever handles their checksums.
 */
export class BackupService {
  private readonly manifests = new Map<string, BackupManifest>();

  constructor(private readonly deps: Deps) {}

  async start(): Promise<DirectoryResult<{ backup: BackupStarted }>> {
    const { env, sql } = this.deps;
    const map = await this.deps.map();
    const now = Date.now();
    const id = newBackupId(now);
    // Each shard lists the buckets it owns that hold rows: the other buckets cost nothing.
    let listed: Array<Array<readonly [number, string]>>;
    try {
      listed = await Promise.all(
        map.shards.map(async (name, index) => {
          const result = await shardRpc(env, name).bucketsWithRows();
          if (!result.ok) throw new Error(`${name} could not list its buckets: ${result.error}`);
          return result.buckets.filter((bucket) => map.owner[bucket] === index).map((bucket) => [bucket, name] as const);
        }),
      );
    } catch (error) {
      return fail("unavailable", `the backup could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    const buckets = listed.flat().sort((a, b) => a[0] - b[0]);
    this.deps.db.transaction((tx) => {
      const abandoned = tx.select({ id: tables.backups.id }).from(tables.backups).where(and(eq(tables.backups.state, "running"), lt(tables.backups.createdAt, now - ABANDONED_MS))).all();
      for (const old of abandoned) {
        tx.delete(tables.backupBuckets).where(eq(tables.backupBuckets.backupId, old.id)).run();
        tx.delete(tables.backups).where(eq(tables.backups.id, old.id)).run();
      }
      tx.insert(tables.backups).values({ id, state: "running", createdAt: now, mapVersion: map.version, buckets: buckets.length }).run();
      // Three values a row: thirty rows a statement stay under the 100 bound parameters allowed.
      for (let i = 0; i < buckets.length; i += 30) {
        const chunk = buckets.slice(i, i + 30);
        sql.exec(`INSERT INTO backup_buckets (backup_id, bucket, shard) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`, ...chunk.flatMap(([bucket, shard]) => [id, bucket, shard]));
      }
    });
    const list = buckets.map(([bucket]) => bucket);
    return ok({ backup: { backup_id: id, created_at: now, map_version: map.version, buckets: list, empty_buckets: BUCKET_COUNT - list.length } });
  }

  /**
   * One bucket: its current owner writes the object (a bucket that moved since the
   * backup started is read where it is now). Backing a bucket up again replaces its
   * object and its entry, so a CLI may simply retry.
   */
  async bucket(backupId: string, bucket: number): Promise<DirectoryResult<{ entry: ManifestBucket }>> {
    if (!isBackupId(backupId) || !isBucket(bucket)) return fail("invalid_input", "a backup id and a bucket in range are required");
    const { db, env } = this.deps;
    const backup = db.select().from(tables.backups).where(eq(tables.backups.id, backupId)).get();
    if (!backup) return fail("not_found", `no running backup ${backupId}`);
    if (backup.state !== "running") return fail("invalid_input", `backup ${backupId} is finished; start a new one`);
    const listed = db.select().from(tables.backupBuckets).where(and(eq(tables.backupBuckets.backupId, backupId), eq(tables.backupBuckets.bucket, bucket))).get();
    if (!listed) return fail("not_found", `bucket ${bucket} held no rows when backup ${backupId} started`);
    for (let attempt = 0; attempt < OWNER_ATTEMPTS; attempt++) {
      const map = await this.deps.map();
      const owner = map.shards[map.owner[bucket]!]!;
      let written;
      try {
        written = await shardRpc(env, owner).backupBucket(bucket, backupId);
      } catch (error) {
        return fail("unavailable", `${owner} could not back up bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!written.ok && written.error === "wrong_shard") continue;
      if (!written.ok) return fail("invalid_input", `${owner} refused to back up bucket ${bucket}: ${written.detail ?? written.error}`);
      const entry: ManifestBucket = {
        bucket, shard: owner, key: written.key, bytes: written.bytes, sha256: written.sha256,
        taken_at: written.takenAt, rows: written.rows, users: written.users, tables: written.checksum as BucketChecksum,
      };
      db.update(tables.backupBuckets)
        .set({ shard: owner, key: entry.key, bytes: entry.bytes, sha256: entry.sha256, checksum: JSON.stringify(entry.tables), rows: entry.rows, users: entry.users, takenAt: entry.taken_at })
        .where(and(eq(tables.backupBuckets.backupId, backupId), eq(tables.backupBuckets.bucket, bucket)))
        .run();
      return ok({ entry });
    }
    return fail("map_changed", `bucket ${bucket} kept changing owner while it was backed up; try again`);
  }

  /** Writes the manifest (and only then forgets the per-bucket rows: from now on the manifest is the record). */
  async finish(backupId: string): Promise<DirectoryResult<{ backup: FinishedBackup }>> {
    if (!isBackupId(backupId)) return fail("invalid_input", "a backup id is required");
    const { db, env } = this.deps;
    const backup = db.select().from(tables.backups).where(eq(tables.backups.id, backupId)).get();
    if (!backup) return fail("not_found", `no running backup ${backupId}`);
    if (backup.state !== "running") return fail("invalid_input", `backup ${backupId} is already finished`);
    const pending = db.select({ bucket: tables.backupBuckets.bucket }).from(tables.backupBuckets).where(and(eq(tables.backupBuckets.backupId, backupId), isNull(tables.backupBuckets.key))).all();
    if (pending.length > 0) {
      const some = pending.slice(0, 10).map((p) => p.bucket).join(", ");
      return fail("backup_incomplete", `${pending.length} buckets of backup ${backupId} are not backed up yet (${some}${pending.length > 10 ? ", ..." : ""})`);
    }
    const buckets = db.select().from(tables.backupBuckets).where(eq(tables.backupBuckets.backupId, backupId)).orderBy(tables.backupBuckets.bucket).all().map(toEntry);
    const sum = (pick: (b: ManifestBucket) => number) => buckets.reduce((total, b) => total + pick(b), 0);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      backup_id: backupId,
      created_at: backup.createdAt,
      finished_at: Date.now(),
      map_version: backup.mapVersion,
      bucket_count: BUCKET_COUNT,
      consistency: "per-bucket",
      totals: { buckets: buckets.length, empty_buckets: BUCKET_COUNT - buckets.length, rows: sum((b) => b.rows), users: sum((b) => b.users), bytes: sum((b) => b.bytes) },
      buckets,
    };
    await env.BACKUPS.put(manifestKey(backupId), JSON.stringify(manifest), { httpMetadata: { contentType: "application/json" }, customMetadata: summaryMetadata(manifest) });
    db.transaction((tx) => {
      const { rows, users, bytes } = manifest.totals;
      tx.update(tables.backups).set({ state: "complete", finishedAt: manifest.finished_at, rows, users, bytes }).where(eq(tables.backups.id, backupId)).run();
      tx.delete(tables.backupBuckets).where(eq(tables.backupBuckets.backupId, backupId)).run();
    });
    this.remember(manifest);
    const { created_at, finished_at, map_version, totals } = manifest;
    return ok({ backup: { backup_id: backupId, manifest_key: manifestKey(backupId), created_at, finished_at, map_version, totals } });
  }

  /** The newest `limit` backups in the bucket (a deployment restored elsewhere sees the backups it was restored from). */
  async list(limit: number): Promise<DirectoryResult<{ backups: BackupSummary[] }>> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail("invalid_input", "limit must be 1..100");
    const { db, env } = this.deps;
    const ids = new Set<string>();
    let cursor: string | undefined;
    do {
      const page: R2Objects = await env.BACKUPS.list({ prefix: BACKUP_PREFIX, delimiter: "/", ...(cursor ? { cursor } : {}) });
      for (const prefix of page.delimitedPrefixes) ids.add(prefix.slice(BACKUP_PREFIX.length).replace(/\/$/, ""));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    const running = new Map(db.select().from(tables.backups).where(eq(tables.backups.state, "running")).all().map((b) => [b.id, b]));
    for (const id of running.keys()) ids.add(id);
    const newest = [...ids].filter(isBackupId).sort().reverse().slice(0, limit);
    const backups = await Promise.all(
      newest.map(async (id): Promise<BackupSummary> => {
        const run = running.get(id);
        if (run) return { backup_id: id, state: "running", created_at: run.createdAt, finished_at: null, map_version: run.mapVersion, totals: null };
        const head = await env.BACKUPS.head(manifestKey(id));
        if (head) return summaryFromMetadata(id, head.customMetadata);
        return { backup_id: id, state: "incomplete", created_at: createdAtOf(id), finished_at: null, map_version: null, totals: null };
      }),
    );
    return ok({ backups });
  }

  async get(backupId: string): Promise<DirectoryResult<{ manifest: BackupManifest }>> {
    if (!isBackupId(backupId)) return fail("invalid_input", `not a backup id: ${JSON.stringify(backupId)}`);
    const cached = this.manifests.get(backupId);
    if (cached) return ok({ manifest: cached });
    const object = await this.deps.env.BACKUPS.get(manifestKey(backupId));
    if (!object) return fail("not_found", `backup ${backupId} has no manifest (unknown, still running, or interrupted)`);
    const manifest = parseManifest(await object.text());
    if (typeof manifest === "string") return fail("backup_corrupt", `${manifestKey(backupId)}: ${manifest}`);
    if (manifest.backup_id !== backupId) return fail("backup_corrupt", `${manifestKey(backupId)} describes backup ${manifest.backup_id}`);
    this.remember(manifest);
    return ok({ manifest });
  }

  private remember(manifest: BackupManifest): void {
    this.manifests.delete(manifest.backup_id);
    this.manifests.set(manifest.backup_id, manifest);
    for (const id of this.manifests.keys()) if (this.manifests.size > CACHED_MANIFESTS) this.manifests.delete(id);
  }
}

/** A bucket row once its object is written (`finish` checks that every one is). */
function toEntry(row: typeof tables.backupBuckets.$inferSelect): ManifestBucket {
  return {
    bucket: row.bucket, shard: row.shard!, key: row.key!, bytes: row.bytes!, sha256: row.sha256!,
    taken_at: row.takenAt!, rows: row.rows!, users: row.users!, tables: JSON.parse(row.checksum!) as BucketChecksum,
  };
}

/** The time in a backup id (`20260321T101500Z-…`), as epoch ms. */
function createdAtOf(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : 0;
}
