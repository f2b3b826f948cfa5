/**
 * The fixed sizes of routing: 4096 buckets, forever, and at most one shard per
 * bucket. A module without imports, so that the Node tools (cli/, load/) import
 * these numbers as they are (under type stripping) instead of copying them.
 */
export const BUCKET_COUNT = 4096;
export const MAX_SHARDS = BUCKET_COUNT;
