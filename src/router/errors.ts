/**
 * One error type for everything the provider refuses. `description` is what the
 * client sees; `detail` is only logged.
 */
export interface OAuthErrorOptions {
  detail?: string;
  /** May be sent to the client's redirect URI (only after client and redirect URI are validated). */
  redirectable?: boolean;
  headers?: Record<string, string>;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 501 | 503;

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly detail: string | undefined;
  readonly redirectable: boolean;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: string,
    readonly status: ErrorStatus,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${code}: ${description}`);
    this.detail = options.detail;
    this.redirectable = options.redirectable ?? false;
    this.headers = options.headers ?? {};
  }
}

export const invalidRequest = (description: string, options?: OAuthErrorOptions) =>
  new OAuthError("invalid_request", 400, description, options);

/** RFC 6749 §5.2: the code or refresh token is invalid, expired, revoked or not this client's. */
export const invalidGrant = (description: string, detail?: string) =>
  new OAuthError("invalid_grant", 400, description, detail === undefined ? {} : { detail });

export const notFound = (description: string) => new OAuthError("not_found", 404, description);

export const conflict = (description: string) => new OAuthError("conflict", 409, description);

export const temporarilyUnavailable = (description: string, retryAfterSeconds: number, detail?: string) =>
  new OAuthError("temporarily_unavailable", 503, description, {
    headers: { "Retry-After": String(retryAfterSeconds) },
    ...(detail === undefined ? {} : { detail }),
  });

/**
 * 429 (RFC 6585 §4) from the rate limits. The code is rate_limited, not one of
 * RFC 6749's: none of them means "too many requests" (invalid_request would blame
 * the request, and RFC 8628's slow_down tells a device-flow poller to add 5 s to
 * its interval), and clients act on the 429 and Retry-After, which every HTTP
 * client understands. Never redirectable: the limit runs before the client is known.
 */
export const rateLimited = (what: string, retryAfterSeconds: number) =>
  new OAuthError("rate_limited", 429, `too many ${what}; the limit resets within ${retryAfterSeconds} seconds`, {
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
