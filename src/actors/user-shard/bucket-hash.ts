/**
 * Content checksums of a bucket's rows, identical on any shard that holds the same
 * rows: per table, the row count and a SHA-256 over the rows' canonical JSON (see
 * bucket-rows.ts) in primary-key order, one per line. The mover compares them on
 * source and target before it hands a bucket over; `verify` compares them across shards.
 */

export interface TableChecksum {
  rows: number;
  sha256: string;
}
export type BucketChecksum = Record<string, TableChecksum>;

/**
 * A table's rows as primary key (JSON) and a 53-bit hash of the content: enough for
 * the mover to find which rows differ between two shards without shipping them.
 * (A hash collision would hide a change from the diff, never from the SHA-256
 * comparison that follows it.)
 */
export interface TableDigest {
  keys: string[];
  hashes: number[];
}
export type BucketDigest = Record<string, TableDigest>;

const utf8 = new TextEncoder();

/** SHA-256 of no bytes: most tables of most buckets are empty, and need no hashing. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export async function tableChecksum(rows: readonly string[]): Promise<TableChecksum> {
  return { rows: rows.length, sha256: rows.length === 0 ? EMPTY_SHA256 : await sha256(rows.join("\n")) };
}

export function tableDigest(keys: string[], rows: readonly string[]): TableDigest {
  return { keys, hashes: rows.map(cyrb53) };
}

/** Equal when every table has the same row count and content hash. */
export function sameChecksum(a: BucketChecksum, b: BucketChecksum): boolean {
  return differingTables(a, b).length === 0;
}

/** Names of the tables whose count or hash differ (or that only one side lists). */
export function differingTables(a: BucketChecksum, b: BucketChecksum): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((name) => {
    const x = a[name];
    const y = b[name];
    return !x || !y || x.rows !== y.rows || x.sha256 !== y.sha256;
  });
}

/** One short hash over a whole bucket checksum, for display and for comparing buckets at a glance. */
export async function bucketHash(checksum: BucketChecksum): Promise<string> {
  const names = Object.keys(checksum).sort();
  return (await sha256(names.map((n) => `${n}:${checksum[n]!.rows}:${checksum[n]!.sha256}`).join("\n"))).slice(0, 16);
}

async function sha256(text: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain, bryc). */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
