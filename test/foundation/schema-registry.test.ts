import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { stubFor } from "../../src/shard/stub";
import { currentDirectoryMap } from "../helpers/shards";
import { PER_USER_TABLES, SHARD_LOCAL_TABLES } from "../../schema/do/user-shard/registry";
import * as tables from "../../schema/do/user-shard/tables";

describe("per-user table registry (what the bucket mover walks)", () => {
  const all = Object.values(tables) as SQLiteTable[];

  it("classifies every user-shard table as either per-user (moves with its bucket) or shard-local", () => {
    const perUser = PER_USER_TABLES.map((t) => t.name);
    const names = all.map((t) => getTableConfig(t).name);
    expect([...perUser, ...SHARD_LOCAL_TABLES].sort()).toEqual(names.sort());
  });

  it("gives every per-user table a bucket column", () => {
    for (const entry of PER_USER_TABLES) {
      expect(getTableConfig(entry.table as SQLiteTable).columns.map((c) => c.name), entry.name).toContain("bucket");
    }
  });

  it("derives each table's primary key as the migrated SQLite table really has it", async () => {
    const shard = (await currentDirectoryMap()).shards[0]!;
    const actual = await runInDurableObject(stubFor(env, shard), (_instance, state) =>
      Object.fromEntries(
        PER_USER_TABLES.map(({ name }) => {
          const columns = state.storage.sql.exec<{ name: string; pk: number }>(`PRAGMA table_info(${name})`).toArray();
          return [name, columns.filter((c) => c.pk > 0).sort((x, y) => x.pk - y.pk).map((c) => c.name)];
        }),
      ),
    );
    for (const entry of PER_USER_TABLES) expect(entry.primaryKey, entry.name).toEqual(actual[entry.name]);
    expect(actual.refresh_tokens).toEqual(["grant_id", "token_hash"]);
  });
});
