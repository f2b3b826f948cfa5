import { bucketKey, isBackupId } from "../../shard/backup-manifest";
import { isBucket } from "../../shard/bucket";
import { differingTables, sha256HexOfBytes } from "../../shard/checksum";
import { fail, ok, type ShardResult } from "../results";
import { BUCKET_FILE_FORMAT, decodeBucketFile, encodeBucketFile } from "./backup-file";
import { TABLE_SPECS, bucketsWithRowsIn, deleteSome, upsertRows } from "./bucket-rows";
import { MAX_PAGE, canonicalSnapshot, checkPages, checksumOf, exportBucket, heldAs, type CanonicalSnapshot } from "./mover";
import type { BucketBackup, CopyCursor, RestoredUser, RestoreInput, RestoreOutcome, TablePage } from "./api";

/**
 * The shard's half of backups: it reads its own rows and writes them to R2, and on
 * restore reads the object back itself, so rows never travel through the directory
 * or the router. Both directions go through the bucket mover's generic export and
 * import (the table registry), and are checked with the checksums `verify` uses.
 */

/** Buckets this shard owns (active or fenced) that hold at least one row, in order. */
export function bucketsWithRows(sql: SqlStorage): number[] {
  const owned = [...sql.exec("SELECT bucket FROM owned_buckets WHERE state IN ('active', 'fenced') ORDER BY bucket").raw()].map(([b]) => Number(b));
  const found = new Set<number>();
  for (const spec of TABLE_SPECS) {
    // A bucket known to hold rows needs no more lookups: at scale nearly every bucket is found by the first table.
    for (const bucket of bucketsWithRowsIn(sql, spec, owned.filter((b) => !found.has(b)))) found.add(bucket);
  }
  return owned.filter((b) => found.has(b));
}

/**
 * One bucket of a backup. Every page of the bucket and its canonical rows (for the
 * checksum) are read in one synchronous transaction, so the object is a consistent
 * snapshot of the bucket and the checksum describes exactly what it holds; requests
 * to the bucket wait for that read (tens of milliseconds for thousands of users), not
 * for the upload. The bucket must be owned here: a shard that gave it away holds no
 * authoritative rows of it.
 */
export async function backupBucket(storage: DurableObjectStorage, r2: R2Bucket, bucket: number, backupId: string): Promise<ShardResult<BucketBackup>> {
  if (!isBucket(bucket) || !isBackupId(backupId)) return fail("invalid_input", "bad bucket or backup id");
  const snapshot = storage.transactionSync(() => {
    const held = heldAs(storage.sql, bucket);
    if (held !== "active" && held !== "fenced") return fail("wrong_shard", `bucket ${bucket} is ${held ?? "not held"} here`);
    const pages = exportAll(storage.sql, bucket);
    return typeof pages === "string" ? fail("invalid_input", pages) : ok({ pages, canonical: canonicalSnapshot(storage.sql, bucket), takenAt: Date.now() });
  });
  if (!snapshot.ok) return snapshot;
  const { pages, canonical, takenAt } = snapshot;
  const tables = Object.fromEntries(TABLE_SPECS.map((spec) => [spec.name, [...spec.columns]]));
  const body = await encodeBucketFile({ format: BUCKET_FILE_FORMAT, backup_id: backupId, bucket, taken_at: takenAt, tables }, pages);
  const sha256 = await sha256HexOfBytes(body);
  const key = bucketKey(backupId, bucket);
  // R2 checks the SHA-256 on arrival: an object corrupted in transit is refused, not stored.
  await r2.put(key, body, { sha256, httpMetadata: { contentType: "application/gzip" }, customMetadata: { bucket: String(bucket), sha256 } });
  const checksum = await checksumOf(canonical);
  const rows = Object.values(checksum).reduce((sum, t) => sum + t.rows, 0);
  return ok({ key, bytes: body.byteLength, sha256, checksum, rows, users: checksum.users?.rows ?? 0, takenAt });
}

/** Every page of the mover's export, read back to back: the caller holds the transaction. */
function exportAll(sql: SqlStorage, bucket: number): TablePage[] | string {
  const pages: TablePage[] = [];
  let from: CopyCursor | null = null;
  do {
    const page = exportBucket(sql, bucket, from, MAX_PAGE);
    if (!page.ok) return page.detail ?? page.error;
    pages.push(...page.pages);
    from = page.next;
  } while (from !== null);
  return pages;
}

/**
 * Restores one bucket from its object. The object is read and checked (size and
 * SHA-256 against the manifest, then every row against the registry) before anything
 * is written; the rows are then imported in one transaction, which first makes sure
 * the bucket holds no rows here (or, with `force`, deletes them), so a request sees
 * the bucket either as it was or as restored. The checksum of the rows is read in
 * the same transaction and compared with the manifest's.
 *
 * The bucket must be owned here (active or fenced), or not held at all: the
 * directory restores into a shard that is about to take the bucket over before it
 * hands the bucket to it. A move's target (`incoming`) is refused.
 */
export async function restoreBucket(storage: DurableObjectStorage, r2: R2Bucket, input: RestoreInput): Promise<ShardResult<RestoreOutcome>> {
  const { bucket, force } = input;
  if (!isBucket(bucket) || typeof input.key !== "string" || typeof input.sha256 !== "string" || !input.checksum) return fail("invalid_input", "bad restore input");
  const read = await readObject(r2, input);
  if (typeof read === "string") return ok({ outcome: "corrupt", detail: read });
  const checked = checkPages(bucket, read);
  if (typeof checked === "string") return fail("invalid_input", `${input.key} does not fit this schema: ${checked}`);
  const done = storage.transactionSync(() => {
    const held = heldAs(storage.sql, bucket);
    if (held === "incoming") return fail("conflict", `bucket ${bucket} is a move's target here; finish or roll back the move first`);
    const present = canonicalSnapshot(storage.sql, bucket);
    const rows = countRows(present);
    if (rows > 0 && !force) return ok({ written: false as const, present, rows, users: restoredUsers(storage.sql, bucket) });
    if (rows > 0) for (const spec of TABLE_SPECS) deleteSome(storage.sql, spec, bucket, Number.MAX_SAFE_INTEGER);
    for (const { spec, rows: list } of checked) upsertRows(storage.sql, spec, list);
    return ok({ written: true as const, present: canonicalSnapshot(storage.sql, bucket), rows, users: restoredUsers(storage.sql, bucket) });
  });
  if (!done.ok) return done;
  const checksum = await checksumOf(done.present);
  const differing = differingTables(checksum, input.checksum);
  if (!done.written) {
    // Exactly the backup's rows already: a restore run again after it was interrupted.
    if (differing.length > 0) return ok({ outcome: "not_empty", rows: done.rows });
    return ok({ outcome: "already_restored", rows: done.rows, checksum, users: done.users });
  }
  if (differing.length > 0) return ok({ outcome: "mismatch", tables: differing, checksum });
  return ok({ outcome: "restored", rows: countRows(done.present), replaced: done.rows, checksum, users: done.users });
}

/** The object's rows as exported pages, or why the object cannot be trusted. */
async function readObject(r2: R2Bucket, input: RestoreInput): Promise<TablePage[] | string> {
  const object = await r2.get(input.key);
  if (!object) return `${input.key} is missing from the backups bucket`;
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (bytes.byteLength !== input.bytes) return `${input.key} is ${bytes.byteLength} bytes; the manifest says ${input.bytes}`;
  const sha256 = await sha256HexOfBytes(bytes);
  if (sha256 !== input.sha256) return `${input.key} has SHA-256 ${sha256}; the manifest says ${input.sha256}`;
  const decoded = await decodeBucketFile(bytes);
  if (typeof decoded === "string") return `${input.key}: ${decoded}`;
  if (decoded.header.bucket !== input.bucket) return `${input.key} holds bucket ${decoded.header.bucket}, not ${input.bucket}`;
  return decoded.pages;
}

function countRows(snapshot: CanonicalSnapshot): number {
  return snapshot.reduce((sum, t) => sum + t.rows.length, 0);
}

function restoredUsers(sql: SqlStorage, bucket: number): RestoredUser[] {
  return [...sql.exec("SELECT id, email FROM users WHERE bucket = ? ORDER BY id", bucket).raw()].map(([id, email]) => [String(id), String(email)]);
}
