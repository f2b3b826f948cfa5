import { MAP_SNAPSHOT_KEY, type DirectoryMap, type MapSnapshot } from "./api";

/** KV accepts at most one write per second to a key; a burst of versions is written as its last one. */
const MIN_WRITE_INTERVAL_MS = 1_000;
/** After a failed write the alarm tries again after 5 s, 10 s, 20 s ... at most 5 minutes. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 5 * 60_000;

export interface SnapshotDeps {
  /** The KV namespace, looked up at each write. */
  kv(): KVNamespace;
  /** The map's current version (one row), or null before it exists: checked before the 4096-row read. */
  version(): number | null;
  /** The map as it stands, or null before it exists. */
  readMap(): DirectoryMap | null;
  /** Makes sure the directory's alarm fires at `at` or earlier. */
  wakeAt(at: number): Promise<void>;
}

/**
 * Publishes the shard map to KV (MAP_SNAPSHOT_KEY) for routers that start while the
 * directory is unreachable: they route from this snapshot instead of failing.
 *
 * The directory calls `nudge` after every change has reached the shards (and on every
 * map read, which is how a restarted directory republishes). The write runs in the
 * background: a map change never waits for KV and never fails because of it. Writes
 * are at least a second apart, each carrying the newest version, so a rebalance that
 * bumps the version hundreds of times a second costs one write a second. A failed
 * write is retried after a backoff (5 s doubling to 5 minutes) by the directory's
 * alarm, or by the first change or map read after the backoff, whichever comes first.
 *
 * What was written lives in memory only: after a restart the first nudge writes the
 * map again (idempotent — the same version, the same value).
 */
export class MapSnapshotPublisher {
  private published = 0;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private retryAt: number | null = null;
  private writing: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: SnapshotDeps) {}

  /** Brings the snapshot up to date in the background; returns at once and never throws. */
  nudge(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = this.writeBehind().finally(() => {
      this.writing = null;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
  }

  /** The alarm's part: publishes if behind, waits for it, and says when to try again after a failure (null: up to date). */
  async flush(): Promise<number | null> {
    // This is the retry the alarm was set for: no waiting out the backoff again.
    this.retryAt = null;
    this.nudge();
    while (this.writing) await this.writing;
    return this.retryAt;
  }

  private async writeBehind(): Promise<void> {
    // The version is one row; the map is 4096: most nudges (map reads) find nothing to do.
    while ((this.deps.version() ?? 0) > this.published) {
      // After a failure, the alarm (or the first nudge after the backoff) tries again.
      if (this.retryAt !== null && Date.now() < this.retryAt) return;
      const wait = this.lastWriteAt + MIN_WRITE_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Read after the wait: the write carries the newest version, whatever came meanwhile.
      const map = this.deps.readMap();
      if (!map || !(await this.write(map))) return;
    }
  }

  private async write(map: DirectoryMap): Promise<boolean> {
    const snapshot: MapSnapshot = { ...map, published_at: Date.now() };
    this.lastWriteAt = Date.now();
    try {
      await this.deps.kv().put(MAP_SNAPSHOT_KEY, JSON.stringify(snapshot));
    } catch (error) {
      this.failures++;
      this.retryAt = Date.now() + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(this.failures - 1, 16));
      console.error(`shard map snapshot: writing version ${map.version} to KV failed (attempt ${this.failures}); retrying by ${new Date(this.retryAt).toISOString()}`, String(error));
      await this.deps.wakeAt(this.retryAt).catch(() => undefined);
      return false;
    }
    this.published = map.version;
    this.failures = 0;
    this.retryAt = null;
    return true;
  }
}
