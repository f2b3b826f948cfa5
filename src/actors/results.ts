/**
 * What actor methods return over Workers RPC. Custom error classes do not survive
 * RPC, so every outcome a caller must handle is a plain value.
 */
export type RoutingError = "wrong_shard" | "bucket_moving";

/**
 * What an actor may refuse with. The router turns each into the error its caller
 * sees (src/router/shard-errors.ts); a failure's `detail` is for the log only.
 */
export const DOMAIN_ERRORS = [
  "not_found",
  "conflict",
  "invalid_input",
  "disabled",
  // sign-in and token outcomes the router turns into OAuth errors
  "login_required",
  "invalid_grant",
  "invalid_scope",
  "invalid_token",
  // DPoP (RFC 9449 §11.1): the proof's jti was already used
  "invalid_dpop_proof",
] as const;
export type DomainError = (typeof DOMAIN_ERRORS)[number];
export type ShardError = RoutingError | DomainError;

export type Ok<T extends object = object> = { ok: true } & T;
export interface Failure<E extends string = ShardError> {
  ok: false;
  error: E;
  detail?: string;
}
export type ShardResult<T extends object = object> = Ok<T> | Failure;

export function ok<T extends object>(value: T): Ok<T> {
  return { ok: true, ...value };
}

export function fail<E extends string>(error: E, detail?: string): Failure<E> {
  return detail === undefined ? { ok: false, error } : { ok: false, error, detail };
}

export function isRoutingError(result: { ok: boolean; error?: string }): boolean {
  return !result.ok && (result.error === "wrong_shard" || result.error === "bucket_moving");
}

/** States a bucket can be in, in the directory and in the shard that owns it. */
export type BucketState = "active" | "fenced";
export const BUCKET_STATES: readonly BucketState[] = ["active", "fenced"];

/**
 * What a shard may hold a bucket as: owned (active or fenced), or `incoming` — a
 * move's target, which accepts the mover's copies but serves no request yet.
 */
export type ShardBucketState = BucketState | "incoming";

/**
 * The directory's push to a shard: the full set of buckets it owns (or expects) at
 * `version` — or, with `base`, only what changed since the push of version `base`:
 * `buckets` then lists the changed entries and `removed` the buckets given up.
 */
export interface OwnershipUpdate {
  shard: string;
  version: number;
  buckets: Array<[bucket: number, epoch: number, state: ShardBucketState]>;
  base?: number;
  removed?: number[];
}
