import type { Env } from "../../env";
import { bucketHash } from "../../shard/checksum";
import { shardRpc } from "../../shard/rpc";
import type { BucketChecksum } from "../user-shard/api";
import type { DirectoryMap, MoveView, ProblemKind, VerifyReport } from "./api";

/**
 * `verify`: every bucket of a range checked against the map. The owner must hold
 * the bucket at the map's epoch and state; no other shard may hold it or keep rows
 * of it, unless an open move explains why (a target filling up, a source not yet
 * cleaned). Each bucket's rows are checksummed where they are, so a copy left
 * behind can be told apart from a diverged one.
 */
export async function verifyRange(env: Env, map: DirectoryMap, open: readonly MoveView[], first: number, last: number): Promise<VerifyReport> {
  const inventories = await Promise.all(
    map.shards.map(async (name) => {
      const result = await shardRpc(env, name).bucketInventory(first, last);
      if (!result.ok) throw new Error(`shard ${name} could not list buckets ${first}..${last}: ${result.error}`);
      return { name, rows: new Map(result.buckets.map((b) => [b.bucket, b.checksum as BucketChecksum])), held: new Map(result.held.map(([b, epoch, state]) => [b, { epoch, state }])) };
    }),
  );
  const moveOf = new Map(open.map((m) => [m.bucket, m]));
  const report: VerifyReport = { from: first, to: last, version: map.version, buckets: last - first + 1, checksums: [], in_flight: [], problems: [] };
  const problem = (bucket: number, shard: string, kind: ProblemKind, detail: string) => report.problems.push({ bucket, shard, kind, detail });

  for (let bucket = first; bucket <= last; bucket++) {
    const owner = map.shards[map.owner[bucket]!]!;
    const move = moveOf.get(bucket);
    let ownerHash: string | null = null;
    for (const inv of [...inventories].sort((a, b) => Number(b.name === owner) - Number(a.name === owner))) {
      const held = inv.held.get(bucket);
      const sum = inv.rows.get(bucket);
      const hash = sum ? await bucketHash(sum) : null;
      if (sum && hash) report.checksums.push({ bucket, shard: inv.name, rows: Object.values(sum).reduce((a, t) => a + t.rows, 0), hash });
      if (inv.name === owner) {
        ownerHash = hash;
        if (!held || held.epoch !== map.epochs[bucket] || held.state !== map.states[bucket]) {
          const saw = held ? `${held.state} at epoch ${held.epoch}` : "does not hold it";
          problem(bucket, inv.name, "ownership_mismatch", `directory: ${map.states[bucket]} at epoch ${map.epochs[bucket]}; shard ${saw}`);
        }
        continue;
      }
      const explained = move && ((move.to === inv.name && move.step !== "planned") || (move.from === inv.name && move.step === "flipped"));
      if (held && held.state !== "incoming") problem(bucket, inv.name, "double_owner", `holds it ${held.state} though ${owner} owns it`);
      if (held?.state === "incoming" && !explained) problem(bucket, inv.name, "stale_incoming", "expects the bucket but no move is open for it");
      if (!sum) continue;
      if (explained) report.in_flight.push({ bucket, shard: inv.name, move: move.id, step: move.step });
      else problem(bucket, inv.name, "stray_rows", hash === ownerHash ? "a leftover copy, identical to the owner's" : "rows differing from the owner's");
    }
  }
  return report;
}
