/** Base of the errors the BFF's OpenID client raises; `code` is stable. */
export class OidcClientError extends Error {
  override readonly name: string = 'OidcClientError';
  readonly code: string = 'ERR_OIDC_CLIENT';
}

/** The provider's metadata is missing, unreachable, malformed, or names another issuer. */
export class DiscoveryError extends OidcClientError {
  override readonly name = 'DiscoveryError';
  override readonly code = 'ERR_OIDC_DISCOVERY';
}

/**
 * The token endpoint answered with an OAuth error (`oauthError` is its wire code, such as
 * `invalid_grant`), or with something that is not a valid token response (`oauthError` undefined).
 */
export class TokenEndpointError extends OidcClientError {
  override readonly name = 'TokenEndpointError';
  override readonly code = 'ERR_OIDC_TOKEN_ENDPOINT';

  constructor(
    message: string,
    readonly oauthError: string | undefined,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The provider could not be reached or did not answer in time: the resource server's class, so a
 * caller of either package tells this one failure apart by one `instanceof`.
 */
export { ProviderUnavailableError } from '@gatehouse/resource-server';
