/** Why a server-side call with a user's upstream token could not be made. */
export type UpstreamTokenFailure =
  /** The user has no linked account at this upstream (or no upstream has that name). */
  | 'not_linked'
  /** The upstream refused the stored grant (revoked, expired): the user must sign in there again. */
  | 'reconsent_required'
  /** The upstream did not answer usefully; try again later. */
  | 'upstream_unavailable'
  /** The URL is outside the upstream's configured `apiBaseUrl` (or none is configured). */
  | 'url_not_allowed';

/** A call for a user's upstream token or API failed; `reason` says why, the message says it for people. */
export class UpstreamTokenError extends Error {
  override readonly name = 'UpstreamTokenError';
  readonly reason: UpstreamTokenFailure;
  constructor(reason: UpstreamTokenFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
