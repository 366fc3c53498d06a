/** Why a refresh could not be done now; each is worth retrying, none ends the session. */
export type RefreshUnavailableReason =
  /** The provider refused the connection, reset it, or answered 5xx / `temporarily_unavailable`. */
  | 'provider_unavailable'
  /** The provider did not answer within `refreshTimeoutMs`, twice. */
  | 'provider_timeout'
  /** Another request holds the session's refresh and did not finish while this one waited. */
  | 'refresh_pending';

/** How long a browser is asked to wait before it tries again, in seconds. */
export const refreshRetryAfterSeconds = 2;

/**
 * A refresh that failed for a transient reason: the session and its refresh token are kept, and the
 * browser gets `503` (`504` for a timeout) with `Retry-After` — never the `401` that means "sign in
 * again".
 */
export class RefreshUnavailableError extends Error {
  override readonly name = 'RefreshUnavailableError';
  readonly code = 'ERR_BFF_REFRESH_UNAVAILABLE';
  readonly status: 503 | 504;
  readonly retryAfterSeconds = refreshRetryAfterSeconds;

  constructor(
    readonly reason: RefreshUnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(`token refresh unavailable: ${reason}`, options);
    this.status = reason === 'provider_timeout' ? 504 : 503;
  }
}
