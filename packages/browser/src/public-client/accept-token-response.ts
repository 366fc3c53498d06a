import { SignInError } from './errors.js';
import { checkIdTokenClaims, type IdTokenClaims } from './id-token-claims.js';
import type { TokenResponse } from './token-request.js';
import type { Tokens } from './tokens.js';

export interface TokenExpectations {
  issuer: string;
  clientId: string;
  /** Milliseconds since the epoch. */
  now: number;
}

// RFC 6749 §5.1 makes `expires_in` optional: without it, the token is renewed after this long.
const defaultExpiresInSeconds = 300;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The tab's tokens from a token response and its checked ID token; a refresh keeps what it did not renew. */
function keep(response: TokenResponse, idToken: string, claims: IdTokenClaims, now: number, previous?: Tokens): Tokens {
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : defaultExpiresInSeconds;
  return {
    accessToken: response.access_token,
    expiresAt: now + expiresIn * 1000,
    refreshToken: text(response.refresh_token) ?? previous?.refreshToken,
    idToken,
    claims,
  };
}

/**
 * Accepts the token response to a sign-in's code as the tab's tokens: the ID token is required, its
 * claims are checked by {@link checkIdTokenClaims}, and it must carry this sign-in's `nonce`. Anything
 * else is `invalid_id_token`.
 *
 * @see OpenID Connect Core §3.1.3.5–3.1.3.7
 */
export function acceptTokenResponse(response: TokenResponse, expected: TokenExpectations & { nonce: string }): Tokens {
  const idToken = text(response.id_token);
  if (!idToken) throw new SignInError('invalid_id_token', 'no ID token');
  return keep(response, idToken, checkIdTokenClaims(idToken, { ...expected, nonceRequired: true }), expected.now);
}

/**
 * Accepts the token response to a refresh: the refresh token rotates if a new one came, and an ID
 * token, if any, is checked like at sign-in except that its `nonce` may be absent — and it must be for
 * the same `sub` (`invalid_id_token`).
 *
 * @see OpenID Connect Core §12.2
 */
export function acceptRefreshedTokens(response: TokenResponse, expected: TokenExpectations, previous: Tokens): Tokens {
  const idToken = text(response.id_token);
  if (!idToken) return keep(response, previous.idToken, previous.claims, expected.now, previous);
  const claims = checkIdTokenClaims(idToken, {
    ...expected,
    // The one sign-in checked, so a string.
    nonce: previous.claims.nonce as string | undefined,
    nonceRequired: false,
  });
  if (claims.sub !== previous.claims.sub) throw new SignInError('invalid_id_token', 'sub changed');
  return keep(response, idToken, claims, expected.now, previous);
}
