import { ProviderUnavailableError } from '@gatehouse/oidc-client';
import { createServer } from '@gatehouse/server-kit';
import { StoreInputError, StoreUnavailableError } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calledByScript, signInNavigation } from '../../src/request-guard/route-guard.js';
import { bffFailures } from '../../src/routes/failure-answers.js';
import { SessionExpiredError } from '../../src/session/session-store.js';

// The BFF's failures in the style each route declared: `{ error, reason }` for the SPA's scripts, the
// login-failed route for sign-in navigations. One route per style throws what the test names.

const thrown: Record<string, () => unknown> = {
  'store-down': () => new StoreUnavailableError('connection refused'),
  'store-input': () => new StoreInputError('key must not contain control characters'),
  'provider-down': () => new ProviderUnavailableError('the provider did not answer'),
  'session-expired': () => new SessionExpiredError('the session key was rotated out'),
  unexpected: () => new TypeError('secret-detail'),
};

describe('BFF failure answers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createServer({ logger: false, failures: bffFailures('/login-failed'), bodyLimit: 16 });
    app.post<{ Params: { what: string } }>('/api/:what', { config: { guard: calledByScript } }, async (request) => {
      throw thrown[request.params.what]?.();
    });
    app.get<{ Params: { what: string } }>('/nav/:what', { config: { guard: signInNavigation } }, async (request) => {
      throw thrown[request.params.what]?.();
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const api = (what: string) => app.inject({ method: 'POST', url: `/api/${what}` });
  const navigation = (what: string) => app.inject({ method: 'GET', url: `/nav/${what}` });

  it.each([
    ['store-down', 503, { error: 'unavailable', reason: 'store_unavailable' }],
    ['store-input', 400, { error: 'invalid_request', reason: 'malformed_request' }],
    ['provider-down', 502, { error: 'unavailable', reason: 'provider_unavailable' }],
    ['session-expired', 401, { error: 'unauthenticated', reason: 'session_expired' }],
    ['unexpected', 500, { error: 'server_error', reason: 'unexpected' }],
  ])('answers %s on an API route with %i and its { error, reason }', async (what, status, body) => {
    const response = await api(what);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual(body);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain('secret-detail');
  });

  it('asks the client to retry when the store is down, and clears the cookie of an expired session', async () => {
    expect((await api('store-down')).headers['retry-after']).toBe('5');
    expect(String((await api('session-expired')).headers['set-cookie'])).toMatch(/^__Host-gh-session=;/);
  });

  it('answers a body over the limit with its 413 in the same shape', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/unexpected',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ filler: 'x'.repeat(64) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: 'invalid_request', reason: 'malformed_request' });
  });

  it.each([
    ['store-down', 'temporarily_unavailable'],
    ['provider-down', 'temporarily_unavailable'],
    ['store-input', 'server_error'],
    ['unexpected', 'server_error'],
  ])('ends a sign-in navigation that hit %s on the login-failed route with %s', async (what, code) => {
    const response = await navigation(what);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/login-failed?error=${code}`);
  });
});
