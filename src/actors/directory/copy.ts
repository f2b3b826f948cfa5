import type { ShardResult } from "../results";
import type { ShardStub } from "../../shard/rpc";
import { differingTables } from "../../shard/checksum";
import type { BucketChecksum, BucketDigest, BucketPage, CopyCursor } from "../user-shard/api";


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
 * Copies every row of `bucket` from source to target in pages (across tables, by
 * primary key; idempotent upserts: a re-run or an overlap with a previous attempt is
 * harmless). Rows changed or deleted meanwhile are fixed by the fenced diff.
 */
export async function copyBucket(source: ShardStub, target: ShardStub, bucket: number): Promise<number> {
  let copied = 0;
  let from: CopyCursor | null = null;
  do {
    const page: BucketPage = must(await source.exportBucket(bucket, from, COPY_PAGE), "export");
    if (page.pages.length > 0) copied += must(await target.importRows(bucket, page.pages), "import").imported;
    from = page.next;
  } while (from !== null);
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
 * With the source fenced (nothing changes there any more): compare both shards'
 * checksums; for the tables that differ, diff the rows by key and hash, send what
 * differs, and take the target's checksum after applying it. Returns null if they
 * still differ after VERIFY_ATTEMPTS rounds. A bucket nobody wrote to during the
 * copy costs two checksums and nothing else.
 */
export async function syncAndVerify(source: ShardStub, target: ShardStub, bucket: number): Promise<Verified | null> {
  const [src, dst] = await Promise.all([source.bucketChecksum(bucket), target.bucketChecksum(bucket)]);
  const sourceSum = must(src, "source checksum").checksum;
  let targetSum = must(dst, "target checksum").checksum;
  let delta = 0;
  for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
    const differing = differingTables(sourceSum, targetSum);
    if (differing.length === 0) {
      const rows = Object.values(sourceSum).reduce((sum, t) => sum + t.rows, 0);
      return { checksum: sourceSum, users: sourceSum.users?.rows ?? 0, rows, delta };
    }
    const [srcDigest, dstDigest] = await Promise.all([source.bucketDigest(bucket, differing), target.bucketDigest(bucket, differing)]);
    // A second round sends every row of the differing tables: cheap insurance against a row-hash collision.
    const diff = diffDigests(must(srcDigest, "source digest").digest, must(dstDigest, "target digest").digest, attempt > 0);
    const rows = must(await source.exportKeys(bucket, diff.upserts), "export delta").rows;
    targetSum = must(await target.applyDelta(bucket, { upserts: rows, deletes: diff.deletes }), "apply delta").checksum;
    delta += diff.count;
  }
  return null;
}

/** Deletes a bucket's rows from a shard that no longer holds it, in short batches. */
export async function dropAll(shard: ShardStub, bucket: number): Promise<number> {
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

/** Rows missing or different at the target (or all source rows, with `everything`), and rows the source no longer has. */
function diffDigests(source: BucketDigest, target: BucketDigest, everything = false): DigestDiff {
  const diff: DigestDiff = { upserts: {}, deletes: {}, count: 0 };
  for (const name of new Set([...Object.keys(source), ...Object.keys(target)])) {
    const src = source[name] ?? { keys: [], hashes: [] };
    const dst = target[name] ?? { keys: [], hashes: [] };
    if (src.keys.length === 0 && dst.keys.length === 0) continue;
    const there = new Map(dst.keys.map((key, i) => [key, dst.hashes[i]]));
    const upserts = everything ? src.keys : src.keys.filter((key, i) => there.get(key) !== src.hashes[i]);
    const here = new Set(src.keys);
    const deletes = dst.keys.filter((key) => !here.has(key));
    if (upserts.length > 0) diff.upserts[name] = upserts;
    if (deletes.length > 0) diff.deletes[name] = deletes;
    diff.count += upserts.length + deletes.length;
  }
  return diff;
}
