import { Hono } from "hono/tiny";
import { BUCKET_COUNT } from "../../../shard/bucket";
import { bucketCounts, MAX_SHARDS } from "../../../shard/map";
import { invalidRequest } from "../../errors";
import { currentMap } from "../../shards/map-cache";
import { shardRpc } from "../../../shard/rpc";
import { makePlan, moveListing, presentLoad, presentPlan, shardLoads, type PlanBy } from "../../shards/operator";
import { MAX_VERIFY_RANGE, verifyRange } from "../../shards/verify";
import type { AppEnv } from "../../types";

/**
 * Operator view of the shards: status (map, per shard its buckets, users and recent
 * requests, moves in flight), a dry-run rebalance plan, and verify. Changes go
 * through shard-moves.ts.
 */
export const adminShards = new Hono<AppEnv>()
  .get("/", async (c) => {
    const map = await currentMap(c.env, c.var.config, { refresh: true });
    const counts = bucketCounts(map);
    const [loads, listing] = await Promise.all([shardLoads(c.env, map), moveListing(c.env, { open: true, limit: 50 })]);
    const shards = await Promise.all(
      map.shards.map(async (name, index) => {
        const stats = await shardRpc(c.env, name)
          .stats()
          .catch(() => null);
        const fenced = map.owner.filter((owner, bucket) => owner === index && map.states[bucket] !== "active").length;
        return {
          name,
          buckets: counts[index] ?? 0,
          fenced_buckets: fenced,
          users: stats?.ok ? stats.users : null,
          outbox: stats?.ok ? stats.outbox : null,
          applied_map_version: stats?.ok ? stats.mapVersion : null,
          requests: presentLoad(loads[index]?.report ?? null),
        };
      }),
    );
    const lease = listing.lease && { holder: listing.lease.holder, expires_at: listing.lease.expiresAt };
    return c.json({ version: map.version, bucket_count: map.owner.length, shards, moves: { open: listing.open, in_flight: listing.moves }, lease });
  })
  .get("/plan", async (c) => {
    const { shards, by } = planQuery(c.req.query("shards"), c.req.query("by"));
    const map = await currentMap(c.env, c.var.config, { refresh: true });
    return c.json(presentPlan(map, await makePlan(c.env, map, shards, by), by));
  })
  .get("/verify", async (c) => {
    const from = intParam("from", c.req.query("from") ?? "0", 0, BUCKET_COUNT - 1);
    const count = intParam("count", c.req.query("count") ?? "256", 1, MAX_VERIFY_RANGE);
    const map = await currentMap(c.env, c.var.config, { refresh: true });
    const listing = await moveListing(c.env, { open: true, limit: 500 });
    return c.json(await verifyRange(c.env, map, listing.moves, from, Math.min(from + count - 1, BUCKET_COUNT - 1)));
  });

export function planQuery(rawShards: string | undefined, rawBy: string | undefined): { shards: number; by: PlanBy } {
  if (rawShards === undefined) throw invalidRequest("shards is required: the number of shards to spread the buckets over");
  const shards = intParam("shards", rawShards, 1, MAX_SHARDS);
  const by = rawBy ?? "buckets";
  if (by !== "buckets" && by !== "load") throw invalidRequest(`by must be buckets or load, got ${JSON.stringify(by)}`);
  return { shards, by };
}

export function intParam(name: string, raw: string | number, min: number, max: number): number {
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidRequest(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
