import { eq } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import type { Env } from "../../env";
import type { ManifestBucket } from "../../shard/backup-manifest";
import { isBucket } from "../../shard/bucket";
import { shardRpc } from "../../shard/rpc";
import { fail, ok, type Failure } from "../results";
import type { BucketChecksum, RestoreOutcome } from "../user-shard/api";
import type { BackupService } from "./backups";
import { dropAll } from "./copy";
import type { DirectoryDb, DirectoryTx } from "./db";
import { acquireLease, validHolder } from "./lease";
import { bumpVersion, CHANGED } from "./map-edits";
import { openMoveOf } from "./moves";
import type { BucketRestoreReport, DirectoryError, DirectoryMap, DirectoryResult, RestoreOptions } from "./api";

interface Deps {
  db: DirectoryDb;
  env: Env;
  backups: BackupService;
  map(): Promise<DirectoryMap>;
  /** Pushes the map to the shards behind it; resolves once they acknowledged. */
  push(): Promise<void>;
}

type Restored = Extract<RestoreOutcome, { outcome: "restored" | "already_restored" }>;

/**
 * Restores buckets from a backup. Into the bucket's owner, the restore is one shard
 * transaction that refuses a bucket holding rows (unless forced): requests see the
 * bucket either as it was or as restored, so nothing is fenced. Into another shard
 * (`to`), the bucket changes owner: the owner is fenced, the target imports the rows
 * while it does not serve the bucket yet, and only a verified import is handed over
 * (owner, epoch + 1, one version bump), after which the old owner's rows are dropped.
 */
export class RestoreService {
  /** Buckets being restored in this object: a second restore of one waits for nothing, it is refused. */
  private readonly restoring = new Set<number>();

  constructor(private readonly deps: Deps) {}

  async restore(backupId: string, bucket: number, options: RestoreOptions): Promise<DirectoryResult<{ restored: BucketRestoreReport }>> {
    if (!isBucket(bucket) || !validHolder(options?.holder)) return fail("invalid_input", "a bucket in range and a holder are required");
    if (options.to !== undefined && typeof options.to !== "string") return fail("invalid_input", "to must be a shard name");
    const got = await this.deps.backups.get(backupId);
    if (!got.ok) return got;
    const entry = got.manifest.buckets.find((b) => b.bucket === bucket);
    if (!entry) return fail("not_found", `bucket ${bucket} held no rows in backup ${backupId}: there is nothing to restore`);
    if (this.restoring.has(bucket)) return fail("move_open", `bucket ${bucket} is being restored already`);
    this.restoring.add(bucket);
    try {
      return await this.restoreEntry(backupId, entry, options);
    } finally {
      this.restoring.delete(bucket);
    }
  }

  private async restoreEntry(backupId: string, entry: ManifestBucket, options: RestoreOptions): Promise<DirectoryResult<{ restored: BucketRestoreReport }>> {
    const started = Date.now();
    const { bucket } = entry;
    const map = await this.deps.map();
    const owner = map.shards[map.owner[bucket]!]!;
    const target = options.to ?? owner;
    if (!map.shards.includes(target)) return fail("invalid_input", `unknown shard ${target} (shards: ${map.shards.join(", ")})`);
    const refused = this.deps.db.transaction((tx) => acquireLease(tx, options.holder, started) ?? openMoveRefusal(tx, bucket));
    if (refused) return refused;
    const force = options.force === true;
    const report = (done: Restored, previousOwner: string | null): DirectoryResult<{ restored: BucketRestoreReport }> =>
      ok({ restored: { backup_id: backupId, bucket, shard: target, previous_owner: previousOwner, outcome: done.outcome, rows: done.rows, users: done.users.length, replaced: done.outcome === "restored" ? done.replaced : 0, tables: done.checksum as BucketChecksum, ms: Date.now() - started, emails: done.users } });

    if (target === owner) {
      const done = await this.importAt(target, entry, force);
      if (!done.ok) return done;
      // A bucket left fenced by an interrupted restore into another shard is served again.
      if (map.states[bucket] !== "active") await this.setState(bucket, owner, "active");
      return report(done.value, null);
    }

    if (map.states[bucket] === "active") await this.setState(bucket, owner, "fenced");
    let handedOver = false;
    try {
      const present = await this.rowsAt(owner, bucket);
      if (!present.ok) return present;
      if (present.rows > 0 && !force) return fail("not_empty", `${owner}, the owner of bucket ${bucket}, holds ${present.rows} rows of it; restoring into ${target} would drop them (--force replaces them)`);
      const done = await this.importAt(target, entry, force);
      if (!done.ok) return done;
      this.deps.db.transaction((tx) => handOver(tx, bucket, owner, target));
      await this.deps.push();
      handedOver = true;
      if (present.rows > 0) await dropAll(shardRpc(this.deps.env, owner), bucket);
      return report(done.value, owner);
    } finally {
      if (!handedOver) await this.setState(bucket, owner, "active");
    }
  }

  /** The target imports the object; every refusal becomes the directory's own code. */
  private async importAt(shard: string, entry: ManifestBucket, force: boolean): Promise<{ ok: true; value: Restored } | Failure<DirectoryError>> {
    const { bucket } = entry;
    let result;
    try {
      result = await shardRpc(this.deps.env, shard).restoreBucket({ bucket, key: entry.key, sha256: entry.sha256, bytes: entry.bytes, checksum: entry.tables, force });
    } catch (error) {
      return fail("unavailable", `${shard} could not restore bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!result.ok) return fail(result.error === "conflict" ? "move_open" : "invalid_input", `${shard} refused bucket ${bucket}: ${result.detail ?? result.error}`);
    switch (result.outcome) {
      case "restored":
      case "already_restored":
        return { ok: true, value: result };
      case "not_empty":
        return fail("not_empty", `${shard} holds ${result.rows} rows of bucket ${bucket} that are not the backup's; nothing was written (--force replaces them)`);
      case "corrupt":
        return fail("backup_corrupt", `${result.detail}; nothing was written`);
      case "mismatch":
        if (shard !== this.ownerNow(bucket)) await dropAll(shardRpc(this.deps.env, shard), bucket);
        return fail("restore_mismatch", `bucket ${bucket} restored into ${shard} differs from the manifest in ${result.tables.join(", ")}`);
    }
  }

  private async rowsAt(shard: string, bucket: number): Promise<{ ok: true; rows: number } | Failure<DirectoryError>> {
    try {
      const sum = await shardRpc(this.deps.env, shard).bucketChecksum(bucket);
      if (!sum.ok) return fail("unavailable", `${shard} could not count bucket ${bucket}: ${sum.error}`);
      return { ok: true, rows: Object.values(sum.checksum).reduce((total, t) => total + t.rows, 0) };
    } catch (error) {
      return fail("unavailable", `${shard} could not count bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Fences or reopens the bucket at its owner (one version bump) and waits until the owner knows. */
  private async setState(bucket: number, owner: string, state: "active" | "fenced"): Promise<void> {
    this.deps.db.transaction((tx) => {
      tx.update(tables.buckets).set({ state, changedVersion: CHANGED }).where(eq(tables.buckets.bucket, bucket)).run();
      bumpVersion(tx, [owner]);
    });
    await this.deps.push();
  }

  private ownerNow(bucket: number): string | undefined {
    return this.deps.db.select({ shard: tables.buckets.shard }).from(tables.buckets).where(eq(tables.buckets.bucket, bucket)).get()?.shard;
  }
}

function openMoveRefusal(tx: DirectoryTx, bucket: number): Failure<"move_open"> | null {
  const open = openMoveOf(tx, bucket);
  return open ? fail("move_open", `bucket ${bucket} has move ${open.id} in step ${open.step}; finish it first (resume)`) : null;
}

/** The restored copy becomes the bucket's: new owner, one epoch later, served again, in one version bump. */
function handOver(tx: DirectoryTx, bucket: number, from: string, to: string): void {
  const row = tx.select().from(tables.buckets).where(eq(tables.buckets.bucket, bucket)).get()!;
  tx.update(tables.buckets).set({ shard: to, epoch: row.epoch + 1, state: "active", changedVersion: CHANGED }).where(eq(tables.buckets.bucket, bucket)).run();
  bumpVersion(tx, [from, to]);
}
