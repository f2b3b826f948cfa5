/** A refresher that has not finished within this long is presumed gone (its request was cancelled). */
const REFRESH_STALL_MS = 2_000;

/**
 * One refresh at a time of an isolate-wide cached value. When the value's TTL has
 * run out, the request that notices refreshes it (and awaits its own fetch) while
 * other requests go on serving the stale value. No request ever awaits a promise
 * another request started: in Workers, I/O begun by one request cannot be awaited
 * by another (it hangs, or fails with "Cannot perform I/O on behalf of a different
 * request") — so there is no shared in-flight promise here, only a timestamp.
 */
export class StaleWhileRefresh {
  private refreshingSince = Number.NEGATIVE_INFINITY;

  /** Whether a value fetched at `fetchedAt` may be served now: still fresh, or stale while another request refreshes it. */
  canServe(fetchedAt: number, ttlMs: number, now: number): boolean {
    return now - fetchedAt < ttlMs || now - this.refreshingSince < REFRESH_STALL_MS;
  }

  /** Runs `fetch` as the refresher (from `now`), so that requests meanwhile serve the stale value. */
  async refresh<T>(now: number, fetch: () => Promise<T>): Promise<T> {
    this.refreshingSince = now;
    try {
      return await fetch();
    } finally {
      this.refreshingSince = Number.NEGATIVE_INFINITY;
    }
  }
}
