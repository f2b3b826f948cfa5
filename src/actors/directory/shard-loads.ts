import type { Env } from "../../env";
import { shardRpc } from "../../shard/rpc";
import type { LoadReport } from "../user-shard/api";

/**
 * The requests each shard served lately (its load report), for the status page and
 * for plans by load. A shard that does not answer reports null rather than failing
 * the whole page: an operator looking at a sick shard still wants to see the rest.
 */
export async function shardLoads(env: Env, shards: readonly string[]): Promise<Array<LoadReport | null>> {
  return Promise.all(
    shards.map(async (name) => {
      try {
        const report = await shardRpc(env, name).loadReport();
        return report.ok ? report : null;
      } catch {
        return null;
      }
    }),
  );
}

/** Requests per bucket over the window, summed over every shard that served the bucket. */
export function bucketLoad(reports: ReadonlyArray<LoadReport | null>): Map<number, number> {
  const out = new Map<number, number>();
  for (const report of reports) for (const [bucket, n] of report?.perBucket ?? []) out.set(bucket, (out.get(bucket) ?? 0) + n);
  return out;
}
