import { SignInError } from './errors.js';
import { checkIdTokenClaims, type IdTokenClaims } from './id-token-claims.js';
import type { TokenResponse } from './token-request.js';
import type { AccessToken, Tokens } from './tokens.js';

export interface TokenExpectations {
  issuer: string;
  clientId: string;
  /** Milliseconds since the epoch. */
  now: number;
}

// RFC 6749 §5.1 makes `expires_in` optional: without it, the token is renewed after this long.
const defaultExpiresInSeconds = 300;

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The access token of a response, dated from `now`. */
function accessTokenOf(response: TokenResponse, now: number): AccessToken {
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : defaultExpiresInSeconds;
  return { accessToken: response.access_token, expiresAt: now + expiresIn * 1000 };
}

/** The scopes a response grants: its `scope`, else those asked for (RFC 6749 §5.1). */
const grantedScopes = (response: TokenResponse, requested: readonly string[] | undefined) =>
  text(response.scope)?.split(' ').filter(Boolean) ?? requested;

/** The tab's tokens from a token response and its checked ID token; a refresh keeps what it did not renew. */
function keep(
  response: TokenResponse,
  idToken: string,
  claims: IdTokenClaims,
  now: number,
  requested: readonly string[] | undefined,
  previous?: Tokens,
): Tokens {
  return {
    ...accessTokenOf(response, now),
    refreshToken: text(response.refresh_token) ?? previous?.refreshToken,
    idToken,
    claims,
    scopes: grantedScopes(response, requested),
  };
}

/**
 * Accepts the token response to a sign-in's code as the tab's tokens: the ID token is required, its
 * claims are checked by {@link checkIdTokenClaims}, and it must carry this sign-in's `nonce`. Anything
 * else is `invalid_id_token`.
 *
 * @see OpenID Connect Core §3.1.3.5–3.1.3.7
 */
export function acceptTokenResponse(
  response: TokenResponse,
  expected: TokenExpectations & { nonce: string; scopes: readonly string[] },
): Tokens {
  const idToken = text(response.id_token);
  if (!idToken) throw new SignInError('invalid_id_token', 'no ID token');
  const claims = checkIdTokenClaims(idToken, { ...expected, nonceRequired: true });
  return keep(response, idToken, claims, expected.now, expected.scopes);
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
  if (!idToken) return keep(response, previous.idToken, previous.claims, expected.now, previous.scopes, previous);
  const claims = checkIdTokenClaims(idToken, {
    ...expected,
    // The one sign-in checked, so a string.
    nonce: previous.claims.nonce as string | undefined,
    nonceRequired: false,
  });
  if (claims.sub !== previous.claims.sub) throw new SignInError('invalid_id_token', 'sub changed');
  return keep(response, idToken, claims, expected.now, previous.scopes, previous);
}

/**
 * Accepts the token response to a refresh for fewer scopes (`scope`, sorted and space-joined): its
 * access token joins the narrowed ones; the sign-in's access and ID tokens stay as they were, and the
 * refresh token rotates if a new one came — it still carries every granted scope (RFC 6749 §6).
 */
export function acceptNarrowedToken(response: TokenResponse, scope: string, now: number, previous: Tokens): Tokens {
  return {
    ...previous,
    refreshToken: text(response.refresh_token) ?? previous.refreshToken,
    narrowed: { ...previous.narrowed, [scope]: accessTokenOf(response, now) },
  };
}
