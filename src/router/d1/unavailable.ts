import { OAuthError, temporarilyUnavailable } from "../errors";

/** How soon a client may try again after D1 failed; D1 outages are not measured in milliseconds. */
const D1_RETRY_AFTER_S = 5;

/**
 * Runs one D1 statement (or a few) for `what`. D1 failing — unreachable, overloaded,
 * timing out — is not the client's fault and not a bug of ours: the request gets 503
 * temporarily_unavailable with Retry-After, never a 500; the error goes to the log.
 * The statements here are fixed and their input is bound, so a D1 error is D1's.
 */
export async function inD1<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw d1Unavailable(what, error);
  }
}

/** The errors made here, so a caller can tell D1 being down from other 503s (a fenced shard). */
const fromD1 = new WeakSet<OAuthError>();

export function d1Unavailable(what: string, error: unknown): OAuthError {
  const unavailable = temporarilyUnavailable(`${what} is temporarily unavailable, retry shortly`, D1_RETRY_AFTER_S, `D1: ${String(error)}`);
  fromD1.add(unavailable);
  return unavailable;
}

export function isD1Unavailable(error: unknown): error is OAuthError {
  return error instanceof OAuthError && fromD1.has(error);
}
