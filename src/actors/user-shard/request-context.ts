/**
 * The request a shard operation runs for (the router's X-Request-Id), while it runs. Only
 * synchronous operations are traced (each is one SQLite transaction), so nothing else can
 * run in this isolate between setting and clearing it.
 */
let current: string | null = null;

export function withRequestId<T>(requestId: string, op: () => T): T {
  const previous = current;
  current = requestId;
  try {
    return op();
  } finally {
    current = previous;
  }
}

export function currentRequestId(): string | null {
  return current;
}
