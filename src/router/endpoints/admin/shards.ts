import { Hono } from "hono";
import { bucketCounts } from "../../../shard/map";
import { stubFor } from "../../../shard/stub";
import { currentMap } from "../../shards/map-cache";
import type { AppEnv } from "../../types";

/** Operator view of the shard map: version, and per shard its buckets, fenced buckets and users. */
export const adminShards = new Hono<AppEnv>().get("/", async (c) => {
  const map = await currentMap(c.env, c.var.config, { refresh: true });
  const counts = bucketCounts(map);
  const shards = await Promise.all(
    map.shards.map(async (name, index) => {
      const stats = await stubFor(c.env, name).stats();
      const fenced = map.owner.filter((owner, bucket) => owner === index && map.states[bucket] !== "active").length;
      return {
        name,
        buckets: counts[index] ?? 0,
        fenced_buckets: fenced,
        users: stats.ok ? stats.users : null,
        outbox: stats.ok ? stats.outbox : null,
        applied_map_version: stats.ok ? stats.mapVersion : null,
      };
    }),
  );
  return c.json({ version: map.version, bucket_count: map.owner.length, shards });
});
