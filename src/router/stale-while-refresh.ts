import { waitUntil } from "cloudflare:workers";
import { DependencyBackoff } from "./dependency-backoff";

/** A refresher that has not finished within this long is presumed gone (its request was cancelled). */
const REFRESH_STALL_MS = 2_000;

/**
 * One refresh at a time of an isolate-wide cached value (the shard map, the signing
 * keys), and what to do while its source is down.
 *
 * A held value past its TTL is still served: the request that notices starts a
 * refresh in the background (`waitUntil`) and goes on with the stale value, so no
 * request waits for the source, and an outage of the source costs nothing but
 * freshness. Only a caller with no value at all, or one that needs a newer value
 * than it holds, awaits a refresh (`refresh`). After a failure, no refresh starts
 * until the backoff has run out.
 *
 * No request ever awaits a promise another request started: in Workers, I/O begun
 * by one request cannot be awaited by another (it hangs, or fails with "Cannot
 * perform I/O on behalf of a different request") — so there is no shared in-flight
 * promise here, only timestamps.
 */
export class StaleWhileRefresh {
  private refreshingSince = Number.NEGATIVE_INFINITY;
  readonly backoff = new DependencyBackoff();

  isFresh(fetchedAt: number, ttlMs: number, now: number): boolean {
    return now - fetchedAt < ttlMs;
  }

  /**
   * For a value held past its TTL: starts a refresh in the background unless one is
   * running or the source failed within its backoff. Returns at once; a failure of
   * the background refresh goes to `onFailure` (for the log), never to the request.
   */
  refreshInBackground(now: number, fetch: () => Promise<unknown>, onFailure: (error: unknown) => void): void {
    if (now - this.refreshingSince < REFRESH_STALL_MS || this.backoff.waiting(now)) return;
    waitUntil(this.refresh(now, fetch).then(() => undefined, onFailure));
  }

  /** Runs `fetch` as the refresher and awaits it, recording its success or failure for the backoff. */
  async refresh<T>(now: number, fetch: () => Promise<T>): Promise<T> {
    this.refreshingSince = now;
    try {
      const value = await fetch();
      this.backoff.succeeded();
      return value;
    } catch (error) {
      this.backoff.failed(Date.now());
      throw error;
    } finally {
      this.refreshingSince = Number.NEGATIVE_INFINITY;
    }
  }

  /** Forgets failures and a running refresh (the value was dropped: the next caller fetches at once). */
  reset(): void {
    this.refreshingSince = Number.NEGATIVE_INFINITY;
    this.backoff.succeeded();
  }
}
