import type { DirectoryError, DirectoryResult } from "../../../actors/directory/api";
import type { Ok } from "../../../actors/results";
import { OAuthError, type ErrorStatus } from "../../errors";
import type { ShardsErrorCode } from "./shard-responses";

/**
 * The operator API's answer to each directory refusal. The conflicts keep their own
 * codes, so a client can tell "someone else holds the lease" (wait) from "the map
 * changed" (plan again) from "open moves are in the way" (resume), and a restore's
 * "the bucket holds rows" (--force) from "the backup is damaged" (another backup).
 */
const REFUSALS: Record<DirectoryError, { code: ShardsErrorCode; status: ErrorStatus }> = {
  invalid_input: { code: "invalid_request", status: 400 },
  not_found: { code: "not_found", status: 404 },
  lease_held: { code: "lease_held", status: 409 },
  map_changed: { code: "map_changed", status: 409 },
  move_open: { code: "move_open", status: 409 },
  not_empty: { code: "bucket_not_empty", status: 409 },
  backup_incomplete: { code: "backup_incomplete", status: 409 },
  restore_mismatch: { code: "restore_mismatch", status: 409 },
  moved_since: { code: "moved_since", status: 409 },
  backup_corrupt: { code: "backup_corrupt", status: 422 },
  unsupported: { code: "unsupported", status: 501 },
  unavailable: { code: "temporarily_unavailable", status: 503 },
};

/** The directory's answer on success; its refusal as the operator API's error response. */
export function orThrow<T extends object>(result: DirectoryResult<T>): Ok<T> {
  if (result.ok) return result;
  const { code, status } = REFUSALS[result.error];
  throw new OAuthError(code, status, result.detail ?? result.error);
}
