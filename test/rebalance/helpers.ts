import { env, runInDurableObject } from "cloudflare:test";
import { PER_USER_TABLES } from "../../schema/do/user-shard/registry";
import { stubFor } from "../../src/shard/stub";
import { currentDirectoryMap, directory, rowsIn } from "../helpers/shards";
import type { BucketChecksum } from "../../src/actors/user-shard/api";
import type { MoveView } from "../../src/actors/directory/api";

export const HOLDER = "test-operator";

/** Rows of `bucket` per per-user table on `shard` (tables with none are left out). */
export async function bucketRows(shard: string, bucket: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of PER_USER_TABLES) {
    const n = (await rowsIn(shard, name, "bucket = ?", bucket)).length;
    if (n > 0) counts[name] = n;
  }
  return counts;
}

export async function ownerOf(bucket: number): Promise<{ shard: string; epoch: number; state: string; version: number }> {
  const map = await currentDirectoryMap();
  return { shard: map.shards[map.owner[bucket]!]!, epoch: map.epochs[bucket]!, state: map.states[bucket]!, version: map.version };
}

export async function otherShard(bucket: number): Promise<string> {
  const { shard } = await ownerOf(bucket);
  return (await currentDirectoryMap()).shards.find((s) => s !== shard)!;
}

export async function planMove(bucket: number, to: string, holder = HOLDER): Promise<MoveView> {
  const created = await directory().createMove(bucket, to, holder);
  if (!created.ok) throw new Error(`createMove: ${created.error} ${created.detail ?? ""}`);
  return created.move as MoveView;
}

/** Drives a move (all the way, or `steps` steps) and returns its record. */
export async function drive(id: number, options: { steps?: number; rollback?: boolean; holder?: string } = {}): Promise<MoveView> {
  const result = await directory().runMove(id, options.holder ?? HOLDER, { steps: options.steps, rollback: options.rollback });
  if (!result.ok) throw new Error(`runMove: ${result.error} ${result.detail ?? ""}`);
  if (result.error) throw new Error(`move ${id} failed: ${result.error}`);
  return result.move as MoveView;
}

export async function moveBucket(bucket: number, to: string): Promise<MoveView> {
  return drive((await planMove(bucket, to)).id);
}

export async function checksumAt(shard: string, bucket: number): Promise<BucketChecksum> {
  const result = await stubFor(env, shard).bucketChecksum(bucket);
  if (!result.ok) throw new Error(`bucketChecksum: ${result.error}`);
  return result.checksum as BucketChecksum;
}

/** What a shard's fencing table says about a bucket. */
export async function heldAt(shard: string, bucket: number): Promise<{ epoch: number; state: string } | null> {
  const rows = await rowsIn(shard, "owned_buckets", "bucket = ?", bucket);
  return rows[0] ? { epoch: Number(rows[0].epoch), state: String(rows[0].state) } : null;
}

/** Lets the operators' lease run out, as if its holder had crashed LEASE_MS ago. */
export async function expireLease(): Promise<void> {
  await runInDurableObject(directory(), (_instance, state) => {
    state.storage.sql.exec("UPDATE leases SET expires_at = ?", Date.now() - 1);
  });
}
