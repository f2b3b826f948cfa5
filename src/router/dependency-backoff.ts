/** The first wait after a dependency failed; each further failure doubles it. */
const FIRST_WAIT_MS = 1_000;
/** However long the outage, an isolate looks again at least this often. */
const MAX_WAIT_MS = 30_000;

/**
 * When an isolate may call a failing dependency again (shard directory, key manager,
 * D1). While it waits, callers serve what they hold and do not call at all: a
 * dependency that is down is not hammered by every request of every isolate, and
 * no request pays for a call that is known to fail. Each wait is jittered (half to
 * all of 1, 2, 4 ... 30 s) so that isolates do not all come back in the same instant.
 */
export class DependencyBackoff {
  private failures = 0;
  private until = Number.NEGATIVE_INFINITY;

  /** Whether the last call failed so recently that no call should be made at `now`. */
  waiting(now: number): boolean {
    return now < this.until;
  }

  /** Seconds until the next call may be made (at least 1): the Retry-After of a 503. */
  retryAfterS(now: number): number {
    return Math.max(1, Math.ceil((this.until - now) / 1000));
  }

  failed(now: number): void {
    this.failures++;
    const wait = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(this.failures - 1, 30));
    this.until = now + wait * (0.5 + Math.random() / 2);
  }

  succeeded(): void {
    this.failures = 0;
    this.until = Number.NEGATIVE_INFINITY;
  }
}
