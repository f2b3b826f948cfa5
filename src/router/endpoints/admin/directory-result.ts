import type { Failure, ShardResult } from "../../../actors/results";
import { conflict, invalidRequest, notFound, OAuthError } from "../../errors";

/** The directory's answer on success; its refusal as the operator API's error response. */
export function orThrow<T extends object>(result: ShardResult<T> | ({ ok: true } & T) | Failure<string>): { ok: true } & T {
  if (result.ok) return result as { ok: true } & T;
  const message = result.detail ?? result.error;
  if (result.error === "conflict") throw conflict(message);
  if (result.error === "not_found") throw notFound(message);
  if (result.error === "invalid_input") throw invalidRequest(message);
  throw new OAuthError("server_error", 500, message);
}
