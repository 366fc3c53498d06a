import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { calledByScript, signInNavigation } from '../../src/request-guard/route-guard.js';
import { trackRouteTable } from '../../src/routes/route-table.js';

function appWithTable() {
  const app = Fastify();
  const table = trackRouteTable(app, ['/bff', '/api']);
  return { app, table };
}

describe('the route table', () => {
  it('answers the methods a path does not serve with 405 and Allow listing the declared ones', async () => {
    const { app, table } = appWithTable();
    app.get('/bff/offline', { config: { guard: calledByScript } }, async () => 'status');
    app.delete('/bff/offline', { config: { guard: calledByScript } }, async () => 'gone');
    table.complete();
    const response = await app.inject({ method: 'PUT', url: '/bff/%6fffline', headers: { 'x-csrf': '1' } });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, DELETE');
    expect(response.json()).toEqual({ error: 'method_not_allowed', reason: 'method_not_allowed' });
    // Fastify's HEAD for the GET is served, not refused, and not listed.
    expect((await app.inject({ method: 'HEAD', url: '/bff/offline' })).statusCode).toBe(200);
  });

  it('lists an explicitly declared HEAD, and covers wildcard routes', async () => {
    const { app, table } = appWithTable();
    const handler = async () => 'ok';
    const config = { guard: calledByScript };
    app.route({ method: ['GET', 'HEAD'], url: '/api', handler, config, exposeHeadRoute: false });
    app.route({ method: ['GET', 'HEAD'], url: '/api/*', handler, config, exposeHeadRoute: false });
    table.complete();
    for (const url of ['/api', '/api/items/1']) {
      const response = await app.inject({ method: 'DELETE', url });
      expect([response.statusCode, response.headers.allow]).toEqual([405, 'GET, HEAD']);
    }
  });

  it('answers 405 before reading a body, whatever its type', async () => {
    const { app, table } = appWithTable();
    app.get('/bff/user', { config: { guard: signInNavigation } }, async () => 'user');
    table.complete();
    const response = await app.inject({
      method: 'POST',
      url: '/bff/user',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x'.repeat(100_000),
    });
    expect(response.statusCode).toBe(405);
  });

  it('stops the start when a route under a guarded path declares no guard', () => {
    const { app, table } = appWithTable();
    app.get('/bff/forgotten', async () => 'unguarded');
    expect(() => table.complete()).toThrow(TypeError);
  });

  it('leaves routes outside the guarded paths alone', async () => {
    const { app, table } = appWithTable();
    app.get('/health', async () => 'ok');
    table.complete();
    expect((await app.inject({ method: 'POST', url: '/health' })).statusCode).toBe(404);
  });
});
