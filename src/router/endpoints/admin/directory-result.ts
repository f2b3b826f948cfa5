import type { DirectoryError, DirectoryResult } from "../../../actors/directory/api";
import type { Ok } from "../../../actors/results";
import { invalidRequest, notFound, OAuthError } from "../../errors";

/**
 * The operator API's answer to each directory refusal. The three conflicts keep
 * their own codes, so a client can tell "someone else holds the lease" (wait) from
 * "the map changed" (plan again) from "open moves are in the way" (resume).
 */
const REFUSALS: Record<DirectoryError, (description: string) => OAuthError> = {
  invalid_input: (description) => invalidRequest(description),
  not_found: (description) => notFound(description),
  lease_held: (description) => new OAuthError("lease_held", 409, description),
  map_changed: (description) => new OAuthError("map_changed", 409, description),
  move_open: (description) => new OAuthError("move_open", 409, description),
};

/** The directory's answer on success; its refusal as the operator API's error response. */
export function orThrow<T extends object>(result: DirectoryResult<T>): Ok<T> {
  if (result.ok) return result;
  throw REFUSALS[result.error](result.detail ?? result.error);
}
