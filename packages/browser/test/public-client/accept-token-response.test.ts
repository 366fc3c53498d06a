import { describe, expect, it } from 'vitest';
import {
  acceptNarrowedToken,
  acceptRefreshedTokens,
  acceptTokenResponse,
} from '../../src/public-client/accept-token-response.js';
import { SignInError } from '../../src/public-client/errors.js';
import type { TokenResponse } from '../../src/public-client/token-request.js';
import { clientId, idTokenClaims, issuer, jwt, start as now, signedInTokens } from './fake-environment.js';

const expected = { issuer, clientId, now, nonce: 'nonce-1', scopes: ['openid', 'api'] };
const response = (extra: Partial<TokenResponse> = {}): TokenResponse => ({
  access_token: 'access-1',
  expires_in: 300,
  refresh_token: 'refresh-1',
  id_token: jwt(idTokenClaims('nonce-1', now)),
  ...extra,
});

function refusal(accept: () => unknown): SignInError {
  try {
    accept();
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError); // never a bare TypeError or SyntaxError
    return error as SignInError;
  }
  throw new Error('expected a refusal');
}

describe('accept the token response of a sign-in', () => {
  it('keeps the tokens and the checked claims, expiring after expires_in', () => {
    const tokens = acceptTokenResponse(response(), expected);
    expect(tokens).toMatchObject({
      accessToken: 'access-1',
      expiresAt: now + 300_000,
      refreshToken: 'refresh-1',
      claims: { sub: 'alice', nonce: 'nonce-1' },
    });
  });

  it('records the scopes granted: the response’s scope, else those asked for (RFC 6749 §5.1)', () => {
    expect(acceptTokenResponse(response(), expected).scopes).toEqual(['openid', 'api']);
    expect(acceptTokenResponse(response({ scope: 'openid  api:read' }), expected).scopes).toEqual([
      'openid',
      'api:read',
    ]);
    expect(acceptTokenResponse(response({ scope: 42 }), expected).scopes).toEqual(['openid', 'api']);
  });

  it('renews after five minutes when the provider does not say, or says it in another type', () => {
    expect(acceptTokenResponse(response({ expires_in: undefined }), expected).expiresAt).toBe(now + 300_000);
    expect(acceptTokenResponse(response({ expires_in: '3600' }), expected).expiresAt).toBe(now + 300_000);
  });

  it.each([
    ['no ID token', { id_token: undefined }],
    ['an ID token that is not a string', { id_token: 42 }],
    ['another nonce', { id_token: jwt(idTokenClaims('nonce-2', now)) }],
    ['no nonce', { id_token: jwt(idTokenClaims(undefined, now)) }],
    ['an expired ID token', { id_token: jwt(idTokenClaims('nonce-1', now - 3_600_000)) }],
    ['another issuer', { id_token: jwt(idTokenClaims('nonce-1', now, { iss: 'https://evil.test' })) }],
    ['another audience', { id_token: jwt(idTokenClaims('nonce-1', now, { aud: 'other' })) }],
    ['the hostile ID token a.b', { id_token: 'a.b' }],
    ['the hostile ID token %%%.e30.x', { id_token: '%%%.e30.x' }],
    ['the hostile ID token x.%%%.y', { id_token: 'x.%%%.y' }],
    ['a payload that is not JSON', { id_token: `x.${Buffer.from('{"sub":').toString('base64url')}.y` }],
    ['a payload that is JSON null', { id_token: `x.${Buffer.from('null').toString('base64url')}.y` }],
  ])('refuses %s as invalid_id_token', (_, extra) => {
    expect(refusal(() => acceptTokenResponse(response(extra), expected)).code).toBe('invalid_id_token');
  });
});

describe('accept the token response of a refresh', () => {
  const previous = signedInTokens(now - 240_000);
  const later = { issuer, clientId, now };

  it('rotates the refresh token and keeps the ID token when none came', () => {
    const tokens = acceptRefreshedTokens(
      response({ access_token: 'access-2', refresh_token: 'refresh-2', id_token: undefined }),
      later,
      previous,
    );
    expect(tokens).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: now + 300_000 });
    expect(tokens.idToken).toBe(previous.idToken);
    expect(tokens.claims).toBe(previous.claims);
  });

  it('keeps the refresh token when the provider does not rotate it', () => {
    const tokens = acceptRefreshedTokens(response({ refresh_token: undefined, id_token: undefined }), later, previous);
    expect(tokens.refreshToken).toBe('refresh-1');
  });

  it('accepts a new ID token without a nonce, for the same user', () => {
    const idToken = jwt(idTokenClaims(undefined, now));
    const tokens = acceptRefreshedTokens(response({ id_token: idToken }), later, previous);
    expect(tokens.idToken).toBe(idToken);
  });

  it.each([
    ['another user', jwt(idTokenClaims('nonce-1', now, { sub: 'mallory' }))],
    ['another nonce', jwt(idTokenClaims('nonce-2', now))],
    ['a hostile ID token', 'a.b'],
  ])('refuses a new ID token for %s as invalid_id_token', (_, idToken) => {
    expect(refusal(() => acceptRefreshedTokens(response({ id_token: idToken }), later, previous)).code).toBe(
      'invalid_id_token',
    );
  });
});

describe('accept the token response of a narrowing refresh', () => {
  it('adds the narrowed token and rotates the refresh token, leaving the sign-in’s tokens as they were', () => {
    const previous = signedInTokens(now, { scopes: ['openid', 'api', 'mail'] });
    const tokens = acceptNarrowedToken(
      { access_token: 'mail-only', expires_in: 60, refresh_token: 'refresh-2', id_token: 'ignored' },
      'mail',
      now,
      previous,
    );
    expect(tokens).toEqual({
      ...previous,
      refreshToken: 'refresh-2',
      narrowed: { mail: { accessToken: 'mail-only', expiresAt: now + 60_000 } },
    });
    const again = acceptNarrowedToken({ access_token: 'api-only' }, 'api', now, tokens);
    expect(again.refreshToken).toBe('refresh-2'); // not rotated this time: kept
    expect(Object.keys(again.narrowed ?? {})).toEqual(['mail', 'api']);
  });
});
