import type { ShardResult } from "../results";
import type { ShardApi } from "../../router/shards/call";
import { checksumOf, sameChecksum, type BucketChecksum, type BucketDigest } from "../shard/bucket-hash";
import type { Value } from "../shard/bucket-rows";
import type { RowPage } from "../shard/mover";
import { TABLE_SPECS } from "../shard/bucket-rows";

/**
 * The data path of a bucket move, run by the directory between two shards: bulk
 * copy in pages while the source serves, then (fenced) a row-level diff of both
 * sides, the few rows that differ, and the checksum comparison.
 */

export const COPY_PAGE = 1_000;
export const DROP_BATCH = 1_000;
/** Fenced diff-and-verify rounds before the move is rolled back. */
export const VERIFY_ATTEMPTS = 3;

export class MoveError extends Error {
  override name = "MoveError";
}

function must<T extends object>(result: ShardResult<T>, what: string): T {
  if (!result.ok) throw new MoveError(`${what}: ${result.error}${result.detail ? ` (${result.detail})` : ""}`);
  return result;
}

/**
 * Copies every row of `bucket` from source to target, table by table in primary-key
 * pages (idempotent upserts: a re-run or an overlap with a previous attempt is
 * harmless). Rows changed or deleted meanwhile are fixed by the fenced diff.
 */
export async function copyBucket(source: ShardApi, target: ShardApi, bucket: number): Promise<number> {
  let copied = 0;
  for (const { name } of TABLE_SPECS) {
    let after: Value[] | null = null;
    do {
      const page: RowPage = must(await source.exportBucket(bucket, name, after, COPY_PAGE), `export ${name}`);
      if (page.rows.length > 0) must(await target.importRows(bucket, page), `import ${name}`);
      copied += page.rows.length;
      after = page.nextKey;
    } while (after !== null);
  }
  return copied;
}

export interface Verified {
  checksum: BucketChecksum;
  users: number;
  rows: number;
  /** Rows the fenced diff had to write or delete. */
  delta: number;
}

/**
 * With the source fenced (nothing changes there any more): diff both sides row by
 * row, send what differs, and compare the checksums the two shards compute. Returns
 * null if they still differ after VERIFY_ATTEMPTS rounds.
 */
export async function syncAndVerify(source: ShardApi, target: ShardApi, bucket: number): Promise<Verified | null> {
  let delta = 0;
  for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
    const [src, dst] = await Promise.all([source.bucketDigest(bucket), target.bucketDigest(bucket)]);
    const sourceDigest = must(src, "source digest").digest;
    const targetDigest = must(dst, "target digest").digest;
    const sourceSum = checksumOf(sourceDigest);
    const diff = diffDigests(sourceDigest, targetDigest);
    let targetSum = checksumOf(targetDigest);
    if (diff.count > 0) {
      const rows = must(await source.exportKeys(bucket, diff.upserts), "export delta").rows;
      targetSum = must(await target.applyDelta(bucket, { upserts: rows, deletes: diff.deletes }), "apply delta").checksum;
      delta += diff.count;
    }
    if (sameChecksum(sourceSum, targetSum)) {
      const rows = Object.values(sourceSum).reduce((sum, t) => sum + t.rows, 0);
      return { checksum: sourceSum, users: sourceSum.users?.rows ?? 0, rows, delta };
    }
  }
  return null;
}

/** Deletes a bucket's rows from a shard that no longer holds it, in short batches. */
export async function dropAll(shard: ShardApi, bucket: number): Promise<number> {
  let dropped = 0;
  for (;;) {
    const batch = must(await shard.dropBucket(bucket, DROP_BATCH), "drop");
    dropped += batch.deleted;
    if (!batch.more) return dropped;
  }
}

export interface DigestDiff {
  /** Keys (JSON) to copy from the source, per table. */
  upserts: Record<string, string[]>;
  /** Keys (JSON) to delete at the target, per table. */
  deletes: Record<string, string[]>;
  count: number;
}

/** Rows missing or different at the target, and rows the source no longer has. */
export function diffDigests(source: BucketDigest, target: BucketDigest): DigestDiff {
  const diff: DigestDiff = { upserts: {}, deletes: {}, count: 0 };
  for (const { name } of TABLE_SPECS) {
    const src = source[name] ?? { keys: [], hashes: [] };
    const dst = target[name] ?? { keys: [], hashes: [] };
    if (src.keys.length === 0 && dst.keys.length === 0) continue;
    const there = new Map(dst.keys.map((key, i) => [key, dst.hashes[i]]));
    const upserts = src.keys.filter((key, i) => there.get(key) !== src.hashes[i]);
    const here = new Set(src.keys);
    const deletes = dst.keys.filter((key) => !here.has(key));
    if (upserts.length > 0) diff.upserts[name] = upserts;
    if (deletes.length > 0) diff.deletes[name] = deletes;
    diff.count += upserts.length + deletes.length;
  }
  return diff;
}
