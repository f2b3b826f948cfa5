import * as base64url from "jose/base64url";
import { BUCKET_COUNT } from "./limits.ts";

/**
 * Users are routed by bucket: a fixed 32-bit hash of the user id modulo a fixed
 * bucket count. The bucket count never changes; shards own sets of buckets and
 * operators move buckets between shards.
 *
 * Hash: FNV-1a, 32 bit (offset basis 0x811c9dc5, prime 0x01000193), over the
 * UTF-8 bytes of the id. It is fixed forever: changing it would re-home every user.
 */
export { BUCKET_COUNT };

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

export function fnv1a32(input: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(input)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

export function bucketOf(userId: string): number {
  if (typeof userId !== "string" || userId.length === 0) {
    throw new TypeError("bucketOf: userId must be a non-empty string");
  }
  return fnv1a32(userId) % BUCKET_COUNT;
}

export function isBucket(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < BUCKET_COUNT;
}

/** A user id is 128 random bits, base64url without padding (22 characters). */
export function newUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return base64url.encode(bytes);
}

