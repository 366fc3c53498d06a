// The registered error codes a provider may send this client (RFC 6749 §4.1.2.1 and §5.2, OpenID
// Connect Core §3.1.2.6; not those about request objects or registration, which it never sends).
// Only these pass through as they came, so an app can switch on `code` without meeting a string a
// hostile or unusual provider made up.
const providerErrorCodes = [
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
] as const;

/** A registered error code a provider may send this client (RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6). */
export type ProviderErrorCode = (typeof providerErrorCodes)[number];

/**
 * Why a sign-in (or renewal) was refused: the provider's registered code ({@link ProviderErrorCode}),
 * `provider_error` for any other code it sent, or one of the SDK's own:
 * - `discovery_failed`: the provider's metadata could not be fetched, is not JSON, names another
 *   issuer, or lacks an `http(s)` authorization or token endpoint;
 * - `invalid_state`: the response's `state` is malformed, unknown or already used;
 * - `invalid_issuer`: its `iss` names another issuer, or is missing where the provider promised it
 *   (RFC 9207);
 * - `invalid_request`: it carries neither a `code` nor an `error`;
 * - `token_request_failed`: the token endpoint could not be reached, or refused without a code;
 * - `invalid_token_response`: the token endpoint answered success without a usable access token;
 * - `invalid_id_token`: the ID token is missing, malformed, or its claims do not fit this sign-in.
 */
export type SignInErrorCode =
  | ProviderErrorCode
  | 'provider_error'
  | 'discovery_failed'
  | 'invalid_state'
  | 'invalid_issuer'
  | 'token_request_failed'
  | 'invalid_token_response'
  | 'invalid_id_token';

/** A sign-in could not be completed; `code` says why (see {@link SignInErrorCode}). */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  constructor(
    readonly code: SignInErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The provider's `error` (and `error_description`) as a SignInError; unregistered codes become `provider_error`. */
  static fromProvider(error: string, description: unknown): SignInError {
    const code = (providerErrorCodes as readonly string[]).includes(error)
      ? (error as ProviderErrorCode)
      : 'provider_error';
    return new SignInError(code, typeof description === 'string' ? description : error);
  }
}

/**
 * No access token can be had without the user: the session at the provider is gone or never was, or
 * the scopes asked for were never granted (`missingScopes`). `redirect()` saves the app's state and
 * starts a sign-in — for the missing scopes too, so the provider asks the user to consent to them —
 * that comes back to `returnUrl`.
 */
export class AccessTokenNotAvailableError extends Error {
  override readonly name = 'AccessTokenNotAvailableError';
  readonly code = 'ERR_ACCESS_TOKEN_NOT_AVAILABLE';

  constructor(
    private readonly startSignIn: (options?: { returnUrl?: string; state?: Record<string, unknown> }) => Promise<void>,
    /** The scopes asked for that were never granted; empty when there are no tokens at all. */
    readonly missingScopes: readonly string[] = [],
  ) {
    super('an access token is not available without signing in');
  }

  redirect(options?: { returnUrl?: string; state?: Record<string, unknown> }): Promise<void> {
    return this.startSignIn(options);
  }
}
