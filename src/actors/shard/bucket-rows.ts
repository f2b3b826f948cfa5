import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { PER_USER_TABLES } from "../../../schema/do/user-shard/registry";

/**
 * Generic row access for the bucket mover. Everything here is driven by the
 * per-user table registry, so a table added there is copied, verified and dropped
 * with its bucket without new mover code. Raw SQL on `ctx.storage.sql`: the table
 * names come from the registry (never from the caller), values are always bound.
 */

export type Value = SqlStorageValue;
export type Row = Value[];

export interface TableSpec {
  readonly name: string;
  /** Column names in schema order: the order of every exported row. */
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** Positions of the primary-key columns within `columns`. */
  readonly keyIndexes: readonly number[];
}

/** Durable Object SQLite binds at most 100 parameters per statement. */
export const MAX_BINDINGS = 100;

export const TABLE_SPECS: readonly TableSpec[] = PER_USER_TABLES.map(({ table, name, primaryKey }) => {
  const columns = getTableConfig(table as SQLiteTable).columns.map((c) => c.name);
  return { name, columns, primaryKey, keyIndexes: primaryKey.map((k) => columns.indexOf(k)) };
});

const BY_NAME = new Map(TABLE_SPECS.map((spec) => [spec.name, spec]));

export function tableSpec(name: string): TableSpec | undefined {
  return typeof name === "string" ? BY_NAME.get(name) : undefined;
}

export function keyOf(spec: TableSpec, row: Row): Value[] {
  return spec.keyIndexes.map((i) => row[i] ?? null);
}

const keyTuple = (spec: TableSpec) => `(${spec.primaryKey.join(", ")})`;
const placeholders = (n: number) => `(${Array.from({ length: n }, () => "?").join(", ")})`;

/** One page of a bucket's rows in primary-key order, strictly after `afterKey`. */
export function selectPage(sql: SqlStorage, spec: TableSpec, bucket: number, afterKey: Value[] | null, limit: number): Row[] {
  const after = afterKey ? ` AND ${keyTuple(spec)} > ${placeholders(spec.primaryKey.length)}` : "";
  const query = `SELECT ${spec.columns.join(", ")} FROM ${spec.name} WHERE bucket = ?${after} ORDER BY ${spec.primaryKey.join(", ")} LIMIT ?`;
  return [...sql.exec(query, bucket, ...(afterKey ?? []), limit).raw()];
}

/** Every row of a bucket in primary-key order (buckets are small: a few thousand users). */
export function selectBucket(sql: SqlStorage, spec: TableSpec, bucket: number): Row[] {
  const query = `SELECT ${spec.columns.join(", ")} FROM ${spec.name} WHERE bucket = ? ORDER BY ${spec.primaryKey.join(", ")}`;
  return [...sql.exec(query, bucket).raw()];
}

/** Every row of a range of buckets, ordered by bucket then primary key. */
export function selectBucketRange(sql: SqlStorage, spec: TableSpec, first: number, last: number): Row[] {
  const query = `SELECT ${spec.columns.join(", ")} FROM ${spec.name} WHERE bucket BETWEEN ? AND ? ORDER BY bucket, ${spec.primaryKey.join(", ")}`;
  return [...sql.exec(query, first, last).raw()];
}

/** The rows of a bucket with the given primary keys (missing keys are simply absent). */
export function selectKeys(sql: SqlStorage, spec: TableSpec, bucket: number, keys: readonly Value[][]): Row[] {
  const rows: Row[] = [];
  const per = Math.floor((MAX_BINDINGS - 1) / spec.primaryKey.length);
  for (let i = 0; i < keys.length; i += per) {
    const chunk = keys.slice(i, i + per);
    const values = chunk.map(() => placeholders(spec.primaryKey.length)).join(", ");
    const query = `SELECT ${spec.columns.join(", ")} FROM ${spec.name} WHERE bucket = ? AND ${keyTuple(spec)} IN (VALUES ${values})`;
    for (const row of sql.exec(query, bucket, ...chunk.flat()).raw()) rows.push(row);
  }
  return rows;
}

/** Idempotent upserts keyed by primary key. The caller runs this inside a transaction. */
export function upsertRows(sql: SqlStorage, spec: TableSpec, rows: readonly Row[]): void {
  const per = Math.max(1, Math.floor(MAX_BINDINGS / spec.columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const values = chunk.map(() => placeholders(spec.columns.length)).join(", ");
    sql.exec(`INSERT OR REPLACE INTO ${spec.name} (${spec.columns.join(", ")}) VALUES ${values}`, ...chunk.flat());
  }
}

/** Deletes a bucket's rows with the given primary keys. The caller runs this inside a transaction. */
export function deleteKeys(sql: SqlStorage, spec: TableSpec, bucket: number, keys: readonly Value[][]): void {
  const per = Math.floor((MAX_BINDINGS - 1) / spec.primaryKey.length);
  for (let i = 0; i < keys.length; i += per) {
    const chunk = keys.slice(i, i + per);
    const values = chunk.map(() => placeholders(spec.primaryKey.length)).join(", ");
    sql.exec(`DELETE FROM ${spec.name} WHERE bucket = ? AND ${keyTuple(spec)} IN (VALUES ${values})`, bucket, ...chunk.flat());
  }
}

/** Deletes up to `limit` rows of a bucket from one table; returns how many went. */
export function deleteSome(sql: SqlStorage, spec: TableSpec, bucket: number, limit: number): number {
  sql.exec(`DELETE FROM ${spec.name} WHERE rowid IN (SELECT rowid FROM ${spec.name} WHERE bucket = ? LIMIT ?)`, bucket, limit);
  return Number(sql.exec("SELECT changes() AS n").one().n);
}
