import { and, eq, sql } from "drizzle-orm";
import * as tables from "../../../schema/do/directory/tables";
import type { DirectoryTx } from "./db";

/**
 * What an edit of a `buckets` row sets `changed_version` to; the version bump of
 * the same transaction replaces it with the new version.
 */
export const CHANGED = -1;

/**
 * Bumps the map version and stamps the bucket rows edited in this transaction
 * with it. Shards whose buckets changed stay behind and get a push; the others
 * were current and their ownership is unchanged, so they are marked current at
 * the new version without a call (a shard behind for an earlier failed push
 * stays behind).
 */
export function bumpVersion(tx: DirectoryTx, touched: readonly string[]): number {
  const meta = tx.select().from(tables.mapMeta).get()!;
  const next = meta.version + 1;
  tx.update(tables.mapMeta).set({ version: next, updatedAt: Date.now() }).where(eq(tables.mapMeta.id, 1)).run();
  tx.update(tables.buckets).set({ changedVersion: next }).where(eq(tables.buckets.changedVersion, CHANGED)).run();
  // One statement, the touched names bound as one JSON parameter (a statement binds at most 100).
  tx.update(tables.shardSync)
    .set({ ackedVersion: next })
    .where(
      and(
        eq(tables.shardSync.ackedVersion, meta.version),
        sql`${tables.shardSync.shard} NOT IN (SELECT value FROM json_each(${JSON.stringify(touched)}))`,
      ),
    )
    .run();
  return next;
}

/**
 * Appends shards to the map (names `shard-<i>`, continuing the list). A new shard
 * owns nothing until buckets move to it; it is pushed its (empty) ownership so it
 * learns its name and the map version.
 */
export function addShards(tx: DirectoryTx, names: readonly string[]): string[] {
  const meta = tx.select().from(tables.mapMeta).get()!;
  const added = names.filter((name) => !meta.shards.includes(name));
  if (added.length === 0) return [];
  tx.update(tables.mapMeta).set({ shards: [...meta.shards, ...added] }).where(eq(tables.mapMeta.id, 1)).run();
  for (const shard of added) tx.insert(tables.shardSync).values({ shard, ackedVersion: 0 }).onConflictDoNothing().run();
  bumpVersion(tx, added);
  return added;
}
