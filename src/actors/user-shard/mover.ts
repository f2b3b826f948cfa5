import { isBucket } from "../../shard/bucket";
import { fail, ok, type ShardBucketState, type ShardResult } from "../results";
import { tableChecksum, tableDigest } from "./bucket-hash";
import { TABLE_SPECS, canonicalRange, canonicalRows, deleteKeys, deleteSome, keyOf, selectKeys, selectPage, tableSpec, upsertRows, type TableSpec } from "./bucket-rows";
import type { BucketInventory, CopyCursor, TablePage, BucketPage, BucketDelta, BucketChecksum, BucketDigest, Row, Value } from "./api";

/**
 * The shard's half of a bucket move. The directory drives; a shard only answers
 * for its own rows. Reads are allowed on any bucket (they change nothing); writes
 * are fenced by what the directory pushed: copies land only on a shard that holds
 * the bucket as `incoming`, and a bucket's rows are dropped only by a shard that
 * no longer holds it at all.
 */

export const MAX_PAGE = 2_000;

type Result<T extends object> = ShardResult<T>;

export function heldAs(sql: SqlStorage, bucket: number): ShardBucketState | null {
  const row = sql.exec("SELECT state FROM owned_buckets WHERE bucket = ?", bucket).toArray()[0];
  return row ? (row.state as ShardBucketState) : null;
}

/**
 * The next page of a bucket's rows for the bulk copy: tables in registry order, each
 * by primary key, from `from` on, at most `limit` rows in all. A small bucket (most
 * are: a few users) travels in one page, one call, however many tables it touches.
 */
export function exportBucket(sql: SqlStorage, bucket: number, from: CopyCursor | null, limit: number): Result<BucketPage> {
  if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return fail("invalid_input", `limit must be 1..${MAX_PAGE}`);
  const first = from ? TABLE_SPECS.findIndex((spec) => spec.name === from.table) : 0;
  if (first < 0) return fail("invalid_input", `unknown table ${from?.table}`);
  let afterKey = from?.afterKey ?? null;
  if (afterKey !== null && !validKey(TABLE_SPECS[first]!, afterKey)) return fail("invalid_input", "afterKey must be the primary key of a row");
  const pages: TablePage[] = [];
  let room = limit;
  for (let i = first; i < TABLE_SPECS.length; i++, afterKey = null) {
    const spec = TABLE_SPECS[i]!;
    const rows = selectPage(sql, spec, bucket, afterKey, room);
    if (rows.length > 0) pages.push({ table: spec.name, columns: [...spec.columns], rows });
    room -= rows.length;
    if (room === 0) return ok({ pages, next: { table: spec.name, afterKey: keyOf(spec, rows[rows.length - 1]!) } });
  }
  return ok({ pages, next: null });
}

/** Upserts exported pages in one transaction; only while this shard expects the bucket. */
export function importRows(storage: DurableObjectStorage, bucket: number, pages: TablePage[]): Result<{ imported: number }> {
  const checked = checkPages(bucket, pages);
  if (typeof checked === "string") return fail("invalid_input", checked);
  return storage.transactionSync(() => {
    const refused = refuseUnlessIncoming(storage.sql, bucket);
    if (refused) return refused;
    let imported = 0;
    for (const { spec, rows } of checked) {
      upsertRows(storage.sql, spec, rows);
      imported += rows.length;
    }
    return ok({ imported });
  });
}

export interface CheckedPage {
  spec: TableSpec;
  rows: Row[];
}

/** Exported pages checked against the registry: known tables, their exact columns, rows of `bucket` only. */
export function checkPages(bucket: number, pages: unknown): CheckedPage[] | string {
  if (!isBucket(bucket) || !Array.isArray(pages)) return "bad bucket or pages";
  const checked: CheckedPage[] = [];
  for (const page of pages as TablePage[]) {
    const spec = tableSpec(page?.table);
    if (!spec) return `unknown table ${String(page?.table)}`;
    const invalid = checkRows(spec, bucket, page.columns, page.rows);
    if (invalid) return invalid;
    checked.push({ spec, rows: page.rows });
  }
  return checked;
}

/** Per-row keys and hashes of the named tables (all when omitted), read in one synchronous pass. */
export function bucketDigest(sql: SqlStorage, bucket: number, tables?: string[]): Result<{ digest: BucketDigest }> {
  if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
  const specs = tables ? tables.map(tableSpec) : TABLE_SPECS;
  if (specs.some((spec) => !spec)) return fail("invalid_input", "unknown table");
  const digest: BucketDigest = {};
  for (const spec of specs as TableSpec[]) {
    const { keys, rows } = canonicalRows(sql, spec, bucket);
    digest[spec.name] = tableDigest(keys, rows);
  }
  return ok({ digest });
}

/** Per table: row count and SHA-256 of the bucket's rows. */
export async function bucketChecksum(sql: SqlStorage, bucket: number): Promise<Result<{ checksum: BucketChecksum }>> {
  if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
  return ok({ checksum: await snapshotChecksum(sql, bucket) });
}

/** The current rows with the given keys, per table (keys as JSON arrays, as in a digest). */
export function exportKeys(sql: SqlStorage, bucket: number, keys: Record<string, string[]>): Result<{ columns: Record<string, string[]>; rows: Record<string, Row[]> }> {
  if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
  const columns: Record<string, string[]> = {};
  const rows: Record<string, Row[]> = {};
  for (const [table, list] of Object.entries(keys ?? {})) {
    const spec = tableSpec(table);
    const parsed = spec ? parseKeys(spec, list) : null;
    if (!spec || !parsed) return fail("invalid_input", `bad keys for table ${table}`);
    columns[table] = [...spec.columns];
    rows[table] = selectKeys(sql, spec, bucket, parsed);
  }
  return ok({ columns, rows });
}

/**
 * Applies a delta in one transaction and returns the checksum that results, read
 * in the same synchronous pass: the mover compares it with the (fenced) source's.
 */
export async function applyDelta(storage: DurableObjectStorage, bucket: number, delta: BucketDelta): Promise<Result<{ checksum: BucketChecksum }>> {
  if (!isBucket(bucket) || typeof delta !== "object" || delta === null) return fail("invalid_input", "bad bucket or delta");
  const plan: Array<{ spec: TableSpec; upserts: Row[]; deletes: Value[][] }> = [];
  for (const spec of TABLE_SPECS) {
    const upserts = delta.upserts?.[spec.name] ?? [];
    const deletes = parseKeys(spec, delta.deletes?.[spec.name] ?? []);
    const invalid = checkRows(spec, bucket, spec.columns, upserts);
    if (invalid || !deletes) return fail("invalid_input", invalid ?? `bad keys for table ${spec.name}`);
    plan.push({ spec, upserts, deletes });
  }
  const applied = storage.transactionSync(() => {
    const refused = refuseUnlessIncoming(storage.sql, bucket);
    if (refused) return refused;
    for (const { spec, upserts, deletes } of plan) {
      deleteKeys(storage.sql, spec, bucket, deletes);
      upsertRows(storage.sql, spec, upserts);
    }
    return null;
  });
  if (applied) return applied;
  return ok({ checksum: await snapshotChecksum(storage.sql, bucket) });
}

/**
 * Deletes up to `limit` of a bucket's rows, one short transaction, only on a shard
 * that does not hold the bucket (the source after the flip, the target after a
 * rollback). `more` says whether rows are left.
 */
export function dropBucket(storage: DurableObjectStorage, bucket: number, limit: number): Result<{ deleted: number; more: boolean }> {
  if (!isBucket(bucket)) return fail("invalid_input", "bucket out of range");
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return fail("invalid_input", `limit must be 1..${MAX_PAGE}`);
  return storage.transactionSync(() => {
    const held = heldAs(storage.sql, bucket);
    if (held !== null) return fail("conflict", `bucket ${bucket} is ${held} here; only a shard that gave it away drops it`);
    let deleted = 0;
    for (const spec of TABLE_SPECS) {
      if (deleted >= limit) return ok({ deleted, more: true });
      deleted += deleteSome(storage.sql, spec, bucket, limit - deleted);
    }
    return ok({ deleted, more: deleted >= limit });
  });
}

/** For `verify`: a checksum per bucket with rows in [first, last], and what this shard holds there. */
export async function bucketInventory(
  sql: SqlStorage,
  first: number,
  last: number,
): Promise<Result<BucketInventory>> {
  if (!isBucket(first) || !isBucket(last) || first > last || last - first >= 512) return fail("invalid_input", "range must be 1..512 buckets");
  const byBucket = new Map<number, Map<string, string[]>>();
  for (const spec of TABLE_SPECS) {
    for (const [bucket, rows] of canonicalRange(sql, spec, first, last)) {
      const tables = byBucket.get(bucket) ?? new Map<string, string[]>();
      byBucket.set(bucket, tables);
      tables.set(spec.name, rows);
    }
  }
  const held = sql
    .exec("SELECT bucket, epoch, state FROM owned_buckets WHERE bucket BETWEEN ? AND ? ORDER BY bucket", first, last)
    .toArray()
    .map((r): [number, number, ShardBucketState] => [Number(r.bucket), Number(r.epoch), r.state as ShardBucketState]);
  const buckets: Array<{ bucket: number; checksum: BucketChecksum }> = [];
  for (const bucket of [...byBucket.keys()].sort((a, b) => a - b)) {
    const checksum: BucketChecksum = {};
    for (const spec of TABLE_SPECS) checksum[spec.name] = await tableChecksum(byBucket.get(bucket)!.get(spec.name) ?? []);
    buckets.push({ bucket, checksum });
  }
  return ok({ buckets, held });
}

async function snapshotChecksum(sql: SqlStorage, bucket: number): Promise<BucketChecksum> {
  // All tables are read before the first await, so the checksum is of one consistent state.
  return checksumOf(canonicalSnapshot(sql, bucket));
}

/** A bucket's rows in canonical form, every table, read synchronously: hash it later with checksumOf. */
export type CanonicalSnapshot = Array<{ table: string; rows: string[] }>;

export function canonicalSnapshot(sql: SqlStorage, bucket: number): CanonicalSnapshot {
  return TABLE_SPECS.map((spec) => ({ table: spec.name, rows: canonicalRows(sql, spec, bucket).rows }));
}

export async function checksumOf(snapshot: CanonicalSnapshot): Promise<BucketChecksum> {
  const checksum: BucketChecksum = {};
  for (const { table, rows } of snapshot) checksum[table] = await tableChecksum(rows);
  return checksum;
}

function refuseUnlessIncoming(sql: SqlStorage, bucket: number) {
  const held = heldAs(sql, bucket);
  return held === "incoming" ? null : fail("wrong_shard", `bucket ${bucket} is not expected here (${held ?? "not held"})`);
}

function validKey(spec: TableSpec, key: unknown): key is Value[] {
  return Array.isArray(key) && key.length === spec.primaryKey.length && key.every((v) => typeof v === "string" || typeof v === "number");
}

function parseKeys(spec: TableSpec, list: unknown): Value[][] | null {
  if (!Array.isArray(list)) return null;
  const out: Value[][] = [];
  for (const text of list) {
    let key: unknown;
    try {
      key = JSON.parse(String(text));
    } catch {
      return null;
    }
    if (!validKey(spec, key)) return null;
    out.push(key);
  }
  return out;
}

/** Rows must have exactly the table's columns, in order, and belong to the bucket. */
function checkRows(spec: TableSpec, bucket: number, columns: readonly string[], rows: unknown): string | null {
  if (!Array.isArray(columns) || columns.join(",") !== spec.columns.join(",")) return `columns of ${spec.name} must be ${spec.columns.join(", ")}`;
  if (!Array.isArray(rows)) return "rows must be a list";
  const bucketAt = spec.columns.indexOf("bucket");
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== spec.columns.length) return `a row of ${spec.name} has the wrong number of values`;
    if (row[bucketAt] !== bucket) return `a row of ${spec.name} belongs to bucket ${String(row[bucketAt])}, not ${bucket}`;
  }
  return null;
}
