/**
 * A bucket's rows as checksums (per table: count and SHA-256 over canonical rows)
 * and digests (per row: key and a short content hash), computed where the rows are.
 * Comparing them is pure and lives in src/shard/checksum.ts.
 */
import { sha256Hex } from "../../shard/checksum";
import type { TableChecksum, TableDigest } from "./api";

/** SHA-256 of no bytes: most tables of most buckets are empty, and need no hashing. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export async function tableChecksum(rows: readonly string[]): Promise<TableChecksum> {
  return { rows: rows.length, sha256: rows.length === 0 ? EMPTY_SHA256 : await sha256Hex(rows.join("\n")) };
}

export function tableDigest(keys: string[], rows: readonly string[]): TableDigest {
  return { keys, hashes: rows.map(cyrb53) };
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
