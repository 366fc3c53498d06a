import { describe, expect, it } from 'vitest';
import { createCorsPolicy } from '../../src/core/cors.js';

const policy = createCorsPolicy({
  origins: ['https://app.test'],
  allowedHeaders: ['authorization', 'content-type', 'x-custom-header'],
  credentials: true,
});

describe('CORS policy', () => {
  it('allows a listed origin, echoing it with credentials and Vary: Origin', () => {
    expect(policy({ method: 'GET', origin: 'https://app.test' })).toEqual({
      kind: 'allowed',
      headers: {
        vary: 'Origin',
        'access-control-allow-origin': 'https://app.test',
        'access-control-allow-credentials': 'true',
      },
    });
  });

  it('gives an unlisted origin no CORS headers at all (never reflects it)', () => {
    expect(policy({ method: 'GET', origin: 'https://evil.test' })).toEqual({
      kind: 'not-cors',
      headers: { vary: 'Origin' },
    });
    expect(policy({ method: 'GET', origin: 'null' })).toEqual({ kind: 'not-cors', headers: { vary: 'Origin' } });
  });

  it('answers an allowed preflight with 204, methods, headers and a max age', () => {
    const decision = policy({
      method: 'OPTIONS',
      origin: 'https://app.test',
      requestMethod: 'POST',
      requestHeaders: 'Content-Type, X-Custom-Header, Authorization',
    });
    expect(decision).toMatchObject({ kind: 'preflight', status: 204 });
    expect(decision.headers['access-control-allow-headers']).toContain('x-custom-header');
    expect(decision.headers['access-control-max-age']).toBe('600');
  });

  it.each([
    ['an unlisted origin', { origin: 'https://evil.test', requestMethod: 'GET' }],
    ['a method not allowed', { origin: 'https://app.test', requestMethod: 'TRACE' }],
    ['a header not allowed', { origin: 'https://app.test', requestMethod: 'GET', requestHeaders: 'x-other' }],
  ])('refuses a preflight from %s with 403 and no allow headers', (_, request) => {
    const decision = policy({ method: 'OPTIONS', ...request });
    expect(decision).toEqual({ kind: 'preflight', status: 403, headers: { vary: 'Origin' } });
  });

  it('refuses "*" with credentials, and a non-origin, when created', () => {
    expect(() => createCorsPolicy({ origins: '*', credentials: true })).toThrow(TypeError);
    expect(() => createCorsPolicy({ origins: ['https://app.test/path'] })).toThrow(TypeError);
    expect(
      createCorsPolicy({ origins: '*' })({ method: 'GET', origin: 'https://any.test' }).headers[
        'access-control-allow-origin'
      ],
    ).toBe('*');
  });
});
