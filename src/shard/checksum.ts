import type { BucketChecksum } from "../actors/user-shard/api";

/**
 * Comparing bucket checksums (see BucketChecksum): the mover compares source and
 * target before it hands a bucket over; `verify` compares them across shards.
 */

const utf8 = new TextEncoder();

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
  return (await sha256Hex(names.map((n) => `${n}:${checksum[n]!.rows}:${checksum[n]!.sha256}`).join("\n"))).slice(0, 16);
}

/** SHA-256 of a string as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  return sha256HexOfBytes(utf8.encode(text));
}

/** SHA-256 of bytes as lowercase hex (a backup object is checked as stored). */
export async function sha256HexOfBytes(data: Uint8Array): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
