import { describe, expect, it } from 'vitest';
import { SignInError } from '../../src/public-client/errors.js';
import { checkIdTokenClaims } from '../../src/public-client/id-token-claims.js';

const now = Date.parse('2030-01-01T00:00:00Z');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.signature`;
const good = { iss: 'https://idp.test', aud: 'spa', sub: 'bob', iat: now / 1000, exp: now / 1000 + 300, nonce: 'n1' };
const expected = { issuer: 'https://idp.test', clientId: 'spa', nonce: 'n1', nonceRequired: true, now };

/** The check refuses with `invalid_id_token` — a SignInError, never a bare TypeError or SyntaxError. */
function expectRefused(check: () => unknown) {
  let failure: unknown;
  try {
    check();
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(SignInError);
  expect((failure as SignInError).code).toBe('invalid_id_token');
}

describe('ID token claims (received from the token endpoint)', () => {
  it('accepts a token for this client, issuer and sign-in', () => {
    expect(checkIdTokenClaims(token(good), expected).sub).toBe('bob');
  });

  it.each([
    ['another issuer', { ...good, iss: 'https://evil.test' }],
    ['another audience', { ...good, aud: 'other' }],
    ['several audiences without azp', { ...good, aud: ['spa', 'other'] }],
    ['an expired token', { ...good, exp: now / 1000 - 120 }],
    ['no iat', { ...good, iat: undefined }],
    ['no sub', { ...good, sub: '' }],
    ['another nonce', { ...good, nonce: 'n2' }],
    ['no nonce at sign-in', { ...good, nonce: undefined }],
    ['a string exp', { ...good, exp: String(now / 1000 + 300) }],
  ])('refuses %s', (_, claims) => {
    expectRefused(() => checkIdTokenClaims(token(claims), expected));
  });

  it('accepts several audiences when azp is this client', () => {
    expect(() => checkIdTokenClaims(token({ ...good, aud: ['spa', 'api'], azp: 'spa' }), expected)).not.toThrow();
  });

  it('on refresh, accepts a token without nonce but not one with another nonce', () => {
    const refresh = { ...expected, nonceRequired: false };
    expect(() => checkIdTokenClaims(token({ ...good, nonce: undefined }), refresh)).not.toThrow();
    expectRefused(() => checkIdTokenClaims(token({ ...good, nonce: 'n2' }), refresh));
  });

  it.each([
    'only.two',
    'a.b',
    'a.!!!.c',
    '%%%.e30.x',
    `x.${Buffer.from('not json').toString('base64url')}.s`,
    'x.%%%.y',
    'x.e.y', // not a valid base64 length
    `${b64({})}.${Buffer.from('[1,2]').toString('base64url')}.s`,
    `x.${b64('text')}.s`,
    `x.${b64(null)}.s`,
  ])('refuses the malformed token %s', (malformed) => {
    expectRefused(() => checkIdTokenClaims(malformed, expected));
  });
});
