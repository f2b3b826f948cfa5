import type { DomainError, Failure } from "../actors/results";
import { OAuthError } from "./errors";

/**
 * The one place a shard's refusal becomes what a client sees. A shard answers with a
 * code and a detail written for the log ("the refresh token family has ended (user
 * disabled)"); the client gets a description chosen here per call site, never the
 * detail: it would tell a client about the user, the family or the grant that it has
 * no business knowing. An unexpected code is a server error, logged with its detail.
 */

/** The kinds of call whose refusals clients see differently. */
export type ShardCall = "code" | "refresh" | "user" | "session" | "sign-in" | "change" | "request_uri";

type Refusal = (detail: string) => OAuthError;

/** RFC 6749 §5.2: one description for every reason a code or refresh token is refused. */
export const CODE_REFUSED = "the authorization code is invalid, expired or already used, or was issued to another client or redirect URI";
/** RFC 9449 §11.1: a proof's jti is good for one request. */
export const DPOP_PROOF_REPLAYED = "the DPoP proof has already been used; make a fresh proof for every request";
export const REFRESH_REFUSED = "the refresh token is invalid, expired or revoked, or was issued to another client";

export const REQUEST_URI_REFUSED = "the request_uri is unknown, expired or already used, or was pushed by another client; push the request again";

const REFUSALS: Readonly<Record<ShardCall, Partial<Record<DomainError, Refusal>>>> = {
  code: {
    invalid_grant: (detail) => new OAuthError("invalid_grant", 400, CODE_REFUSED, { detail }),
    invalid_dpop_proof: (detail) => new OAuthError("invalid_dpop_proof", 400, DPOP_PROOF_REPLAYED, { detail }),
  },
  refresh: {
    invalid_dpop_proof: (detail) => new OAuthError("invalid_dpop_proof", 400, DPOP_PROOF_REPLAYED, { detail }),
    invalid_grant: (detail) => new OAuthError("invalid_grant", 400, REFRESH_REFUSED, { detail }),
    invalid_scope: (detail) => new OAuthError("invalid_scope", 400, "the requested scope exceeds what was granted (RFC 6749 §6)", { detail }),
  },
  user: { not_found: (detail) => new OAuthError("not_found", 404, "no such user", { detail }) },
  session: { not_found: (detail) => new OAuthError("not_found", 404, "no such session", { detail }) },
  "sign-in": {},
  change: {},
  // RFC 9126 §4 / RFC 9101 §6.2: one description for every reason a pushed request cannot be used.
  request_uri: {
    not_found: (detail) => new OAuthError("invalid_request_uri", 400, REQUEST_URI_REFUSED, { detail }),
    invalid_input: (detail) => new OAuthError("invalid_request_uri", 400, REQUEST_URI_REFUSED, { detail }),
  },
};

/** What the caller of a shard reports for `failure` in a `call`; `what` names the operation for a server error. */
export function shardFailure(failure: Failure<string>, call: ShardCall, what: string): OAuthError {
  const detail = failure.detail === undefined ? failure.error : `${failure.error}: ${failure.detail}`;
  const refusal = (REFUSALS[call] as Record<string, Refusal | undefined>)[failure.error];
  return refusal ? refusal(detail) : new OAuthError("server_error", 500, `${what} could not be completed`, { detail });
}
