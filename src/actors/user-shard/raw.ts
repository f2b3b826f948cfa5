/**
 * Helpers for the hot paths' raw SQL. Token, userinfo and authorize requests run a
 * handful of fixed statements: written as SQL strings they cost no query building
 * per request (drizzle builds its SQL on every call), and SQLite's statement cache
 * keys on the string.
 */

/** The first row of a cursor, or undefined. */
export function firstRow<T>(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): T | undefined {
  for (const row of cursor) return row as T;
  return undefined;
}

/**
 * Compares two stored hashes in time independent of where they differ, so the
 * comparison of a presented token's hash with the current one leaks nothing.
 */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
