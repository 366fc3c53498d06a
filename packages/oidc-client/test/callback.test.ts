import { describe, expect, it } from 'vitest';
import { buildAuthorizationUrl } from '../src/authorization-request.js';
import { parseCallback } from '../src/callback.js';
import type { ProviderMetadata } from '../src/discovery.js';
import { basicAuthorization } from '../src/token-request.js';

const issuer = 'https://idp.example.com';
const strict = { issuer, issuerParameterRequired: true };
const lenient = { issuer, issuerParameterRequired: false };
const query = (text: string) => new URLSearchParams(text);

describe('callback parameters', () => {
  it('returns the code and state when iss matches', () => {
    expect(parseCallback(query(`code=c1&state=s1&iss=${encodeURIComponent(issuer)}`), strict)).toEqual({
      kind: 'code',
      code: 'c1',
      state: 's1',
    });
  });

  it('accepts a response without iss from a provider that does not advertise it', () => {
    expect(parseCallback(query('code=c1&state=s1'), lenient).kind).toBe('code');
  });

  it.each([
    [
      'another issuer (mix-up)',
      `code=c&state=s&iss=${encodeURIComponent('https://evil.example')}`,
      strict,
      'issuer_mismatch',
    ],
    [
      'another issuer even when iss is optional',
      'code=c&state=s&iss=https%3A%2F%2Fidp.example.com%2F',
      lenient,
      'issuer_mismatch',
    ],
    ['no iss when the provider advertises it', 'code=c&state=s', strict, 'missing_issuer'],
    ['no state', `code=c&iss=${encodeURIComponent(issuer)}`, strict, 'missing_state'],
    ['an empty state', `code=c&state=&iss=${encodeURIComponent(issuer)}`, strict, 'missing_state'],
    ['no code', `state=s&iss=${encodeURIComponent(issuer)}`, strict, 'missing_code'],
    ['a duplicated state', `code=c&state=a&state=b&iss=${encodeURIComponent(issuer)}`, strict, 'duplicated_parameter'],
    ['a duplicated code', `code=a&code=b&state=s&iss=${encodeURIComponent(issuer)}`, strict, 'duplicated_parameter'],
  ])('refuses %s', (_, text, expected, reason) => {
    expect(parseCallback(query(text), expected)).toMatchObject({ kind: 'invalid', reason });
  });

  it('reports a provider error with its code, and sanitises a code outside the RFC charset', () => {
    expect(parseCallback(query(`error=access_denied&state=s&iss=${encodeURIComponent(issuer)}`), strict)).toEqual({
      kind: 'error',
      state: 's',
      error: 'access_denied',
      errorDescription: undefined,
    });
    expect(parseCallback(query('error=%22%3Cscript%3E&state=s'), lenient)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('authorization URL', () => {
  const metadata = {
    issuer,
    authorization_endpoint: 'https://idp.example.com/authorize?tenant=t1&state=planted',
    token_endpoint: 'https://idp.example.com/token',
    jwks_uri: 'https://idp.example.com/jwks',
  } satisfies ProviderMetadata;

  it('asks for code with PKCE S256, keeps the endpoint’s own query, and never duplicates a parameter', () => {
    const url = new URL(
      buildAuthorizationUrl(metadata, {
        clientId: 'bff',
        redirectUri: 'https://app.example.com/bff/callback',
        scopes: ['openid', 'api'],
        state: 'S',
        nonce: 'N',
        codeChallenge: 'C',
        prompt: 'none',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 't1',
      state: 'S',
      response_type: 'code',
      client_id: 'bff',
      redirect_uri: 'https://app.example.com/bff/callback',
      scope: 'openid api',
      nonce: 'N',
      code_challenge: 'C',
      code_challenge_method: 'S256',
      prompt: 'none',
    });
    expect(url.searchParams.getAll('state')).toEqual(['S']);
  });
});

describe('client_secret_basic', () => {
  it('form-urlencodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const header = basicAuthorization({ clientId: 'my app', clientSecret: 'a:b+c%d/e' });
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('my+app:a%3Ab%2Bc%25d%2Fe');
  });
});
