import type { Env } from "../../env";
import { bucketCounts } from "../../shard/map";
import { shardRpc } from "../../shard/rpc";
import type { LoadReport } from "../user-shard/api";
import { shardLoads } from "./shard-loads";
import type { DirectoryMap, MoveListing, RequestCounts, ShardStatus } from "./api";

/**
 * The operators' status page: per shard its buckets (and how many are fenced), its
 * users and audit backlog, the map version it applied, and its recent requests;
 * the moves in flight and the lease. Shards are asked in parallel; one that does
 * not answer shows nulls.
 */
export async function shardStatus(env: Env, map: DirectoryMap, listing: MoveListing): Promise<ShardStatus> {
  const counts = bucketCounts(map);
  const now = Date.now();
  const [loads, stats] = await Promise.all([
    shardLoads(env, map.shards),
    Promise.all(map.shards.map((name) => shardRpc(env, name).stats().catch(() => null))),
  ]);
  const shards = map.shards.map((name, index) => {
    const shard = stats[index];
    return {
      name,
      buckets: counts[index] ?? 0,
      fenced_buckets: map.owner.filter((owner, bucket) => owner === index && map.states[bucket] !== "active").length,
      users: shard?.ok ? shard.users : null,
      outbox: shard?.ok ? shard.outbox : null,
      outbox_behind_s: shard?.ok ? (shard.outboxOldestAt === null ? 0 : Math.max(0, Math.round((now - shard.outboxOldestAt) / 1000))) : null,
      outbox_dropped: shard?.ok ? shard.outboxDropped : null,
      applied_map_version: shard?.ok ? shard.mapVersion : null,
      requests: requestCounts(loads[index] ?? null),
    };
  });
  const lease = listing.lease && { holder: listing.lease.holder, expires_at: listing.lease.expiresAt };
  return { version: map.version, bucket_count: map.owner.length, shards, moves: { open: listing.open, in_flight: listing.moves }, lease };
}

function requestCounts(report: LoadReport | null): RequestCounts | null {
  if (!report) return null;
  const sum = (n: number) => report.perMinute.slice(-n).reduce((a, b) => a + b, 0);
  return { last_1m: sum(1), last_5m: sum(5), last_15m: sum(15), per_minute: report.perMinute, hottest_buckets: report.perBucket.slice(0, 5) };
}
