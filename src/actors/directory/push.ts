import type { ShardStub } from "../../shard/rpc";
import type { Env } from "../../env";
import { shardRpc } from "../../shard/rpc";
import type { OwnershipUpdate, ShardBucketState } from "../results";

type Entry = OwnershipUpdate["buckets"][number];

interface Pushed {
  version: number;
  /** bucket → [epoch, state] as the shard was last told. */
  entries: Map<number, Entry>;
}

/**
 * Ownership pushes from the directory to the shards. A shard is told its full set of
 * buckets once (after the directory starts, or when it asks for it); after that only
 * what changed since the version it was last pushed: bucket rows carry the version
 * that last changed them (`changed_version`), so a push reads and sends a handful of
 * rows instead of a thousand, and every move's fence is that much shorter.
 *
 * Raw SQL throughout: this runs several times per bucket move.
 */
export class OwnershipPusher {
  /** What each shard was last pushed (memory only: after a restart the first push is a full one). */
  private readonly pushed = new Map<string, Pushed>();
  private readonly sql: SqlStorage;
  private readonly env: Env;

  constructor(sql: SqlStorage, env: Env) {
    this.sql = sql;
    this.env = env;
  }

  /** Pushes `shard` its buckets at `version`, plus `incoming` (buckets it is a move's target for). */
  async push(shard: string, version: number, incoming: readonly number[]): Promise<void> {
    const stub = shardRpc(this.env, shard);
    const last = this.pushed.get(shard);
    if (last) {
      const { buckets, removed } = this.delta(shard, last, incoming);
      const result = await stub.syncOwnership({ shard, version, base: last.version, buckets, removed });
      if (!result.ok) throw new Error(`ownership push to ${shard} failed: ${result.error}`);
      if (!result.resync) {
        for (const entry of buckets) last.entries.set(entry[0], entry);
        for (const bucket of removed) last.entries.delete(bucket);
        last.version = version;
        return;
      }
    }
    const full = this.full(shard, incoming);
    const result = await stub.syncOwnership({ shard, version, buckets: full });
    if (!result.ok) throw new Error(`ownership push to ${shard} failed: ${result.error}`);
    this.pushed.set(shard, { version, entries: new Map(full.map((entry) => [entry[0], entry])) });
  }

  private full(shard: string, incoming: readonly number[]): Entry[] {
    const owned = [...this.sql.exec("SELECT bucket, epoch, state FROM buckets WHERE shard = ?", shard).raw()].map(
      ([bucket, epoch, state]): Entry => [Number(bucket), Number(epoch), state as ShardBucketState],
    );
    return [...owned, ...this.incomingEntries(incoming)];
  }

  /** What differs between what `shard` was told and what it should hold now. */
  private delta(shard: string, last: Pushed, incoming: readonly number[]): { buckets: Entry[]; removed: number[] } {
    const want = new Map<number, Entry | null>();
    for (const [bucket, owner, epoch, state] of this.sql.exec("SELECT bucket, shard, epoch, state FROM buckets WHERE changed_version > ?", last.version).raw()) {
      want.set(Number(bucket), owner === shard ? [Number(bucket), Number(epoch), state as ShardBucketState] : null);
    }
    // Buckets it was told to expect and no longer should: given up, unless the flip above made them its own.
    for (const [bucket, entry] of last.entries) if (entry[2] === "incoming" && !want.has(bucket)) want.set(bucket, null);
    for (const entry of this.incomingEntries(incoming)) want.set(entry[0], entry);
    const buckets: Entry[] = [];
    const removed: number[] = [];
    for (const [bucket, entry] of want) {
      const told = last.entries.get(bucket);
      if (entry === null) {
        if (told) removed.push(bucket);
      } else if (!told || told[1] !== entry[1] || told[2] !== entry[2]) {
        buckets.push(entry);
      }
    }
    return { buckets, removed };
  }

  /** A move's target holds its bucket as `incoming`, at the epoch it will own it with. */
  private incomingEntries(buckets: readonly number[]): Entry[] {
    const entries: Entry[] = [];
    // (Durable Object SQLite binds at most 100 parameters per statement.)
    for (let i = 0; i < buckets.length; i += 90) {
      const chunk = buckets.slice(i, i + 90);
      for (const [bucket, epoch] of this.sql.exec(`SELECT bucket, epoch FROM buckets WHERE bucket IN (${chunk.map(() => "?").join(", ")})`, ...chunk).raw()) {
        entries.push([Number(bucket), Number(epoch) + 1, "incoming"]);
      }
    }
    return entries;
  }
}
