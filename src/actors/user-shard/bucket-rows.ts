import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { PER_USER_TABLES } from "../../../schema/do/user-shard/registry";
import type { Value, Row } from "./api";

export interface TableSpec {
  readonly name: string;
  /** SQL that renders a row as canonical JSON (blobs as {"blob": hex}), and its key likewise. */
  readonly rowJson: string;
  readonly keyJson: string;
  /** Column names in schema order: the order of every exported row. */
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** Positions of the primary-key columns within `columns`. */
  readonly keyIndexes: readonly number[];
  /** An index starts with `bucket`: finding a bucket's rows is a lookup, not a scan of the table. */
  readonly bucketIndexed: boolean;
}

/** Durable Object SQLite binds at most 100 parameters per statement. */
export const MAX_BINDINGS = 100;

export const TABLE_SPECS: readonly TableSpec[] = PER_USER_TABLES.map(({ table, name, primaryKey }) => {
  const tableConfig = getTableConfig(table as SQLiteTable);
  const config = tableConfig.columns;
  const columns = config.map((c) => c.name);
  const json = config.map((c) => (c.getSQLType() === "blob" ? `json_object('blob', hex(${c.name}))` : c.name));
  const leading = tableConfig.indexes.map((i) => (i.config.columns[0] as { name?: string } | undefined)?.name);
  return {
    name,
    columns,
    primaryKey,
    keyIndexes: primaryKey.map((k) => columns.indexOf(k)),
    rowJson: `json_array(${json.join(", ")})`,
    keyJson: `json_array(${primaryKey.join(", ")})`,
    bucketIndexed: primaryKey[0] === "bucket" || leading.includes("bucket"),
  };
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

/**
 * Every row of a bucket as canonical JSON, with its key, in primary-key order. The
 * JSON is rendered by SQLite: one string per row crosses into JavaScript instead of
 * every value, several times faster, which is what keeps the fenced checksum short.
 */
export function canonicalRows(sql: SqlStorage, spec: TableSpec, bucket: number): { keys: string[]; rows: string[] } {
  const query = `SELECT ${spec.keyJson}, ${spec.rowJson} FROM ${spec.name} WHERE bucket = ? ORDER BY ${spec.primaryKey.join(", ")}`;
  const keys: string[] = [];
  const rows: string[] = [];
  for (const [key, row] of sql.exec(query, bucket).raw()) {
    keys.push(String(key));
    rows.push(String(row));
  }
  return { keys, rows };
}

/** Canonical rows of a range of buckets, per bucket, each in primary-key order. */
export function canonicalRange(sql: SqlStorage, spec: TableSpec, first: number, last: number): Map<number, string[]> {
  const query = `SELECT bucket, ${spec.rowJson} FROM ${spec.name} WHERE bucket BETWEEN ? AND ? ORDER BY bucket, ${spec.primaryKey.join(", ")}`;
  const out = new Map<number, string[]>();
  for (const [bucket, row] of sql.exec(query, first, last).raw()) {
    const list = out.get(Number(bucket)) ?? [];
    out.set(Number(bucket), list);
    list.push(String(row));
  }
  return out;
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
  // By primary key, not rowid: WITHOUT ROWID tables have none.
  const key = keyTuple(spec);
  sql.exec(`DELETE FROM ${spec.name} WHERE bucket = ? AND ${key} IN (SELECT ${spec.primaryKey.join(", ")} FROM ${spec.name} WHERE bucket = ? LIMIT ?)`, bucket, bucket, limit);
  return Number(sql.exec("SELECT changes() AS n").one().n);
}

/**
 * Which of `buckets` hold at least one row of this table: one lookup per bucket where
 * an index leads with `bucket`, else one pass over the table (the outbox, which holds
 * seconds of events and has no such index).
 */
export function bucketsWithRowsIn(sql: SqlStorage, spec: TableSpec, buckets: readonly number[]): Set<number> {
  const found = new Set<number>();
  if (!spec.bucketIndexed) {
    const wanted = new Set(buckets);
    for (const [bucket] of sql.exec(`SELECT DISTINCT bucket FROM ${spec.name}`).raw()) if (wanted.has(Number(bucket))) found.add(Number(bucket));
    return found;
  }
  for (const bucket of buckets) {
    if (sql.exec(`SELECT 1 FROM ${spec.name} WHERE bucket = ? LIMIT 1`, bucket).toArray().length > 0) found.add(bucket);
  }
  return found;
}
