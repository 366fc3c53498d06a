import { computeAppSecretProof } from '@gatehouse/resource-server';
import { openMemoryStore } from '@gatehouse/store';
import { startTestIssuer } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoApi } from '../src/app.js';
import { loadDemoApiConfig } from '../src/config.js';

// The demo API with tokens from a real (loopback) issuer: each user sees only their own data, every
// body is checked, and nothing answers without a token carrying the `api` scope.
describe('demo API', () => {
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  let app: FastifyInstance;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    app = await buildDemoApi(
      loadDemoApiConfig({
        issuer: issuer.issuer,
        audience: 'https://api.test',
        corsOrigins: ['http://localhost:3000'],
      }),
      { store: openMemoryStore() },
    );
    alice = `Bearer ${await issuer.mint({ sub: 'alice' })}`;
    bob = `Bearer ${await issuer.mint({ sub: 'bob' })}`;
  });
  afterAll(async () => {
    await app.close();
    await issuer.stop();
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    authorization?: string,
    payload?: unknown,
    headers = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { ...(authorization ? { authorization } : {}), ...headers },
      payload: payload as object,
    });

  it('refuses calls without a token (401) or without the api scope (403)', async () => {
    expect((await call('GET', '/weatherforecast')).statusCode).toBe(401);
    const readOnly = `Bearer ${await issuer.mint({ scope: 'read' })}`;
    const refused = await call('GET', '/weatherforecast', readOnly);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('scope="api"');
  });

  it('serves the forecast', async () => {
    const response = await call('GET', '/weatherforecast', alice);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toHaveLength(5);
  });

  it('keeps each user’s todos apart, with create, complete and delete', async () => {
    const created = await call('POST', '/todos', alice, { title: 'Buy milk' }, { 'x-custom-header': 'from-spa' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['x-custom-header']).toBe('from-spa');
    const { id } = created.json() as { id: string };
    expect((await call('PATCH', `/todos/${id}`, alice, { done: true })).json()).toMatchObject({ done: true });
    expect((await call('GET', '/todos', bob)).json()).toEqual([]);
    expect((await call('PATCH', `/todos/${id}`, bob, { done: false })).statusCode).toBe(404);
    expect((await call('DELETE', `/todos/${id}`, bob)).statusCode).toBe(404);
    expect((await call('GET', '/todos', alice)).json()).toMatchObject([{ title: 'Buy milk', done: true }]);
    expect((await call('DELETE', `/todos/${id}`, alice)).statusCode).toBe(204);
    expect((await call('GET', '/todos', alice)).json()).toEqual([]);
  });

  it.each([
    ['an empty title', { title: '' }],
    ['an unknown field', { title: 'x', admin: true }],
    ['a title of 201 characters', { title: 'x'.repeat(201) }],
    ['a wrong type', { title: 42 }],
  ])('answers %s with 400 and a message', async (_, body) => {
    const response = await call('POST', '/todos', alice, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers a malformed JSON body and a bad id with 400, never 500', async () => {
    const broken = await app.inject({
      method: 'POST',
      url: '/todos',
      headers: { authorization: alice, 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expect(broken.statusCode).toBe(400);
    expect((await call('DELETE', '/todos/not-an-id', alice)).statusCode).toBe(400);
  });

  it('keeps a profile and posts per user', async () => {
    expect((await call('PUT', '/profile', alice, { displayName: 'Alice A.' })).statusCode).toBe(200);
    expect((await call('GET', '/profile', alice)).json()).toEqual({ displayName: 'Alice A.', bio: '' });
    expect((await call('POST', '/posts', alice, { text: 'Hello' })).statusCode).toBe(201);
    expect((await call('GET', '/posts', alice)).json()).toMatchObject([{ text: 'Hello' }]);
    expect((await call('GET', '/posts', bob)).json()).toEqual([]);
  });

  it('checks the token before the body: no token and a bad body is 401, not 400', async () => {
    const response = await call('POST', '/todos', undefined, { admin: true });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="demo-api"');
  });

  it('refuses a token in the query string with 400 invalid_request', async () => {
    const token = alice.slice('Bearer '.length);
    const response = await call('GET', `/todos?access_token=${token}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a client-credentials token on user data', async () => {
    const machine = `Bearer ${await issuer.mint({ sub: 'spa', client_id: 'spa' })}`;
    expect((await call('GET', '/todos', machine)).statusCode).toBe(403);
  });

  it('answers a preflight from the SPA origin, allowing the custom header, and refuses others', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/todos',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, x-custom-header',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect((await preflight('https://evil.test')).statusCode).toBe(403);
  });

  it('requires appsecret_proof when configured, from the query or a header', async () => {
    const secret = 'spa-client-secret-0123456789';
    const strict = await buildDemoApi(
      loadDemoApiConfig({
        issuer: issuer.issuer,
        audience: 'https://api.test',
        appsecretProof: { clientSecrets: { spa: secret } },
      }),
      { store: openMemoryStore() },
    );
    try {
      const token = alice.slice('Bearer '.length);
      const proof = computeAppSecretProof(token, secret);
      const get = (url: string, headers: Record<string, string> = {}) =>
        strict.inject({ url, headers: { authorization: alice, ...headers } });
      expect((await get('/weatherforecast')).statusCode).toBe(401);
      expect((await get('/weatherforecast')).headers['www-authenticate']).toMatch(/error="invalid_token"/);
      expect((await get(`/weatherforecast?appsecret_proof=${computeAppSecretProof(token, 'wrong')}`)).statusCode).toBe(
        401,
      );
      expect((await get(`/weatherforecast?appsecret_proof=${proof}`)).statusCode).toBe(200);
      expect((await get('/weatherforecast', { 'appsecret-proof': proof })).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('refuses a configuration with a misspelt key, naming it', () => {
    expect(() => loadDemoApiConfig({ issuer: issuer.issuer, corsOrigin: ['http://localhost:3000'] })).toThrow(
      /corsOrigin/,
    );
  });
});
