/** Why a call with a user's upstream token could not be made. */
export type UpstreamCallFailure =
  /** The URL is outside the upstream's `apiBaseUrl`, or no `apiBaseUrl` is configured. */
  | 'url_not_allowed'
  /**
   * The authorization server has no usable grant of the user at the upstream (`invalid_grant`): the
   * account is not linked, or the upstream refused the stored grant. The user must (re)connect the
   * upstream account on the authorization server's profile page.
   */
  | 'consent_required'
  /**
   * The authorization server refused this client that upstream (`invalid_target`, `unauthorized_client`):
   * a registration mismatch (`upstream_tokens`, the token-exchange grant), not the user's doing.
   */
  | 'not_allowed'
  /** The upstream is down (the authorization server answered `temporarily_unavailable`); try again later. */
  | 'unavailable';

/**
 * A call for a user's upstream token, or to the upstream's API, could not be made; `reason` says why
 * and `upstream` names the upstream. The message is for logs; decide by `reason`.
 */
export class UpstreamCallError extends Error {
  override readonly name = 'UpstreamCallError';
  readonly code = 'ERR_UPSTREAM_CALL';

  constructor(
    readonly reason: UpstreamCallFailure,
    readonly upstream: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
