import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each route declares its failure style (`config: { failure: 'json' }` on the OAuth endpoints, a page
// by default), read from the route the router matched: an encoded spelling of a path gets the style
// of the path it decodes to. Requests no route took (405, 404) use what the routes at that path declared.

const oversizedBody = `grant_type=client_credentials&filler=${'x'.repeat(70 * 1024)}`;

function startServer(issuer: string): Promise<FastifyInstance> {
  return createAuthorizationServer(
    loadAuthorizationServerConfig({
      issuer,
      store: 'memory',
      cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
      clients: [],
    }),
  );
}

const post = (app: FastifyInstance, url: string) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: oversizedBody,
  });

describe('failure style declared with the route', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await startServer('https://as.example.com');
  });
  afterAll(() => app.close());

  it.each(['/token', '/%74oken', '/t%6Fken', '/revoke', '/%72evoke', '/introspect'])(
    'answers a failure on POST %s in OAuth JSON',
    async (path) => {
      const response = await post(app, path);
      expect(response.statusCode).toBe(413);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toMatchObject({ error: 'invalid_request' });
    },
  );

  it.each(['/login', '/%6Cogin', '/authorize'])('answers a failure on POST %s with an HTML page', async (path) => {
    const response = await post(app, path);
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('answers a wrong method on an encoded JSON path with a JSON 405 and Allow', async () => {
    const response = await app.inject({ method: 'GET', url: '/%74oken' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST, OPTIONS');
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers an unknown discovery document with a JSON 404, and another unknown path with a page', async () => {
    for (const path of ['/.well-known/nothing-here', '/%2Ewell-known/nothing/deeper']) {
      const response = await app.inject({ url: path });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found' });
    }
    for (const path of ['/nothing-here', '/token/deeper', '/jwks/']) {
      const response = await app.inject({ url: path });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
    }
  });

  it('echoes a request id on every answer', async () => {
    const response = await app.inject({ url: '/jwks', headers: { 'x-request-id': 'trace-7' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('trace-7');
  });
});

describe('failure style under an issuer with a path', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await startServer('https://as.example.com/oauth');
  });
  afterAll(() => app.close());

  it('answers a wrong method with 405 and Allow, in the style of the route', async () => {
    const token = await app.inject({ method: 'GET', url: '/oauth/token' });
    expect(token.statusCode).toBe(405);
    expect(token.headers.allow).toBe('POST, OPTIONS');
    expect(token.json()).toMatchObject({ error: 'invalid_request' });
    const logout = await app.inject({ method: 'DELETE', url: '/oauth/logout' });
    expect(logout.statusCode).toBe(405);
    expect(logout.headers['content-type']).toMatch(/^text\/html/);
  });

  it('answers a failure on the JSON endpoints in JSON, and an unknown discovery document with a JSON 404', async () => {
    const response = await post(app, '/oauth/%74oken');
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
    expect((await app.inject({ url: '/oauth/.well-known/nothing-here' })).json()).toEqual({ error: 'not_found' });
  });
});
