/** A sign-in could not be completed; `code` is the provider's OAuth error or one of ours. */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  constructor(
    /** `access_denied`, `login_required`, … from the provider, or `invalid_state`, `invalid_issuer`, `invalid_id_token`, `token_request_failed`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * No access token can be had without the user: the session at the provider is gone or never was.
 * `redirect()` saves the app's state and starts a sign-in that comes back to `returnUrl`.
 */
export class AccessTokenNotAvailableError extends Error {
  override readonly name = 'AccessTokenNotAvailableError';
  readonly code = 'ERR_ACCESS_TOKEN_NOT_AVAILABLE';

  constructor(
    private readonly startSignIn: (options?: { returnUrl?: string; state?: Record<string, unknown> }) => Promise<void>,
  ) {
    super('an access token is not available without signing in');
  }

  redirect(options?: { returnUrl?: string; state?: Record<string, unknown> }): Promise<void> {
    return this.startSignIn(options);
  }
}
