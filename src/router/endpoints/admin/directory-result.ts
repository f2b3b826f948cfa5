import type { DirectoryError, DirectoryResult } from "../../../actors/directory/api";
import type { Ok } from "../../../actors/results";
import { OAuthError, type ErrorStatus } from "../../errors";
import type { ShardsErrorCode } from "./shard-responses";

/**
 * The operator API's answer to each directory refusal. The three conflicts keep
 * their own codes, so a client can tell "someone else holds the lease" (wait) from
 * "the map changed" (plan again) from "open moves are in the way" (resume).
 */
const REFUSALS: Record<DirectoryError, { code: ShardsErrorCode; status: ErrorStatus }> = {
  invalid_input: { code: "invalid_request", status: 400 },
  not_found: { code: "not_found", status: 404 },
  lease_held: { code: "lease_held", status: 409 },
  map_changed: { code: "map_changed", status: 409 },
  move_open: { code: "move_open", status: 409 },
};

/** The directory's answer on success; its refusal as the operator API's error response. */
export function orThrow<T extends object>(result: DirectoryResult<T>): Ok<T> {
  if (result.ok) return result;
  const { code, status } = REFUSALS[result.error];
  throw new OAuthError(code, status, result.detail ?? result.error);
}
