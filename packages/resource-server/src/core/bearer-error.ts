/** The RFC 6750 §3.1 error codes, plus the case of a request that carried no token at all. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * Why a request was refused, as RFC 6750 says to answer it: `status`, and a `WWW-Authenticate`
 * challenge from {@link bearerChallenge}. `code` is undefined when no token was sent (a bare
 * challenge, RFC 6750 §3.1). `description` is safe to send; `detail` is for logs only.
 */
export class BearerError extends Error {
  override readonly name = 'BearerError';

  constructor(
    readonly code: BearerErrorCode | undefined,
    readonly status: 400 | 401 | 403,
    readonly description: string,
    /** The scopes that would have sufficed (for `insufficient_scope`). */
    readonly scope?: readonly string[],
    readonly detail?: string,
  ) {
    super(description);
  }
}

/** The token's issuer could not be consulted (JWKS or introspection unreachable): answer 503. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  readonly code = 'temporarily_unavailable';
  readonly status = 503;
  /**
   * The provider did not answer within the deadline, as opposed to being unreachable: it may have
   * acted on the request (rotated a refresh token, say) and only its answer was lost.
   */
  readonly timedOut: boolean;

  constructor(message: string, options: { cause?: unknown; timedOut?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
  }
}

export const missingToken = () => new BearerError(undefined, 401, 'an access token is required');
export const invalidRequest = (description: string) => new BearerError('invalid_request', 400, description);
export const invalidToken = (description: string, detail?: string) =>
  new BearerError('invalid_token', 401, description, undefined, detail);
export const insufficientScope = (scope: readonly string[]) =>
  new BearerError('insufficient_scope', 403, 'the access token lacks a required scope', scope);

/** Characters RFC 6750 allows inside a quoted challenge parameter; anything else is dropped. */
const unsafe = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/** The `WWW-Authenticate` value for an error (RFC 6750 §3): realm, then error, description, scope. */
export function bearerChallenge(error: BearerError, realm: string): string {
  const params = [`realm="${realm.replace(unsafe, '')}"`];
  if (error.code) {
    params.push(`error="${error.code}"`, `error_description="${error.description.replace(unsafe, '')}"`);
    if (error.scope?.length) params.push(`scope="${error.scope.join(' ').replace(unsafe, '')}"`);
  }
  return `Bearer ${params.join(', ')}`;
}
