import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
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

  it("names the real primary-key columns of each listed table", () => {
    for (const entry of PER_USER_TABLES) {
      const config = getTableConfig(entry.table as SQLiteTable);
      const single = config.columns.filter((c) => c.primary).map((c) => c.name);
      const composite = config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name));
      expect([...single, ...composite], entry.name).toEqual([...entry.primaryKey]);
    }
  });
});
