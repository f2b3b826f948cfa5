import { env, runInDurableObject } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import * as tables from "../../schema/do/directory/tables";
import { MOVE_STEPS, OPEN, openMoves } from "../../src/actors/directory/moves";
import { describe, expect, it } from "vitest";
import { directoryStub, stubFor } from "../../src/shard/stub";
import { currentDirectoryMap } from "../helpers/shards";
import { heldAt, moveBucket, otherShard, ownerOf } from "./helpers";

describe("ownership pushes", () => {
  it("a delta push applies only on top of the version it was computed from; otherwise the shard asks for the full list", async () => {
    const map = await currentDirectoryMap();
    const shard = map.shards[0]!;
    const known = (await stubFor(env, shard).stats()) as { mapVersion: number };
    const wrongBase = await stubFor(env, shard).syncOwnership({ shard, version: map.version + 100, base: known.mapVersion - 1, buckets: [[0, 9, "active"]], removed: [] });
    expect(wrongBase).toMatchObject({ ok: true, applied: false, resync: true });
    expect(await heldAt(shard, 0)).toEqual({ epoch: 1, state: "active" });
  });

  it("after moves (delta pushes) every shard holds exactly what the directory says", async () => {
    for (const bucket of [40, 41, 42, 43]) await moveBucket(bucket, await otherShard(bucket));
    const map = await currentDirectoryMap();
    for (const bucket of [0, 4, 40, 41, 42, 43, 44]) {
      const { shard, epoch } = await ownerOf(bucket);
      expect(await heldAt(shard, bucket)).toEqual({ epoch, state: "active" });
      for (const other of map.shards.filter((s) => s !== shard)) expect(await heldAt(other, bucket)).toBeNull();
    }
  });
});

describe("the move history stays cheap to query", () => {
  it("looking up a bucket's open move uses the partial index, not a scan of every move ever made", async () => {
    const plans = await runInDurableObject(directoryStub(env), (_instance, state) => {
      const db = drizzle(state.storage, { schema: tables });
      const query = db.select().from(tables.moves).where(and(eq(tables.moves.bucket, 7), OPEN)).toSQL();
      return state.storage.sql.exec(`EXPLAIN QUERY PLAN ${query.sql}`, ...(query.params as SqlStorageValue[])).toArray().map((r) => String(r.detail));
    });
    expect(plans.join(" ")).toMatch(/USING INDEX moves_open_bucket/);
  });

  it("listing the open moves searches the step index", async () => {
    const plans = await runInDurableObject(directoryStub(env), (_instance, state) => {
      let captured = "";
      const db = drizzle(state.storage, { schema: tables, logger: { logQuery: (query) => void (captured ||= query) } });
      openMoves(db);
      const params = MOVE_STEPS.filter((s) => s !== "done" && s !== "rolled_back");
      return state.storage.sql.exec(`EXPLAIN QUERY PLAN ${captured}`, ...params).toArray().map((r) => String(r.detail));
    });
    expect(plans.join(" ")).toMatch(/USING INDEX moves_step/);
  });
});
