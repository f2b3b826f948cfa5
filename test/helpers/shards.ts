import { env, runInDurableObject } from "cloudflare:test";
import { PER_USER_TABLES } from "../../schema/do/user-shard/registry";
import { directoryStub, stubFor } from "../../src/shard/stub";
import type { DirectoryMap } from "../../src/actors/directory/api";

export const directory = () => directoryStub(env);

export async function currentDirectoryMap(): Promise<DirectoryMap> {
  const result = await directory().ensureMap(4);
  if (!result.ok) throw new Error(`ensureMap failed: ${result.error}`);
  return result.map as DirectoryMap;
}

type Row = Record<string, SqlStorageValue>;

/** Rows of a shard's table, read straight from its SQLite storage. */
export function rowsIn(shard: string, table: string, where = "1=1", ...bindings: SqlStorageValue[]): Promise<Row[]> {
  return runInDurableObject(stubFor(env, shard), (_instance, state) =>
    state.storage.sql.exec(`SELECT * FROM ${table} WHERE ${where}`, ...bindings).toArray() as Row[],
  );
}

/**
 * Copies every per-user row of `bucket` from one shard to another, as the bucket
 * mover's copy step does (walking the table registry). Used to set up routing tests.
 */
export async function copyBucketRows(from: string, to: string, bucket: number): Promise<void> {
  for (const { name } of PER_USER_TABLES) {
    const rows = await rowsIn(from, name, "bucket = ?", bucket);
    if (rows.length === 0) continue;
    await runInDurableObject(stubFor(env, to), (_instance, state) => {
      for (const row of rows) {
        const columns = Object.keys(row);
        state.storage.sql.exec(
          `INSERT OR REPLACE INTO ${name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
          ...columns.map((c) => row[c]!),
        );
      }
    });
  }
}
