import { openMemoryStore } from '@gatehouse/store';
import Fastify, { type FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/rate-limit/rate-limiter.js';
import {
  calledByScript,
  decideRouteGuard,
  enforceRouteGuards,
  signInNavigation,
  startsSignIn,
} from '../../src/request-guard/route-guard.js';

const ownOrigin = 'https://app.example.com';

function limiter(limit: number) {
  return new RateLimiter(
    openMemoryStore({ sweepIntervalMs: 0 }),
    { login: { limit, windowSeconds: 60 }, clientRoutes: { limit, windowSeconds: 60 } },
    Date.now,
  );
}

function guardedApp(limit = 100) {
  const app = Fastify();
  const rateLimiter = limiter(limit);
  const sendNavigationFailure = (reply: FastifyReply, code: string) =>
    reply.code(303).header('location', `/failed?error=${code}`).send();
  enforceRouteGuards(app, { ownOrigin, rateLimiter, sendNavigationFailure });
  return app;
}

describe('route guards', () => {
  it('applies the CSRF rule of a script route under every spelling the router matches', async () => {
    const app = guardedApp();
    app.get('/bff/user', { config: { guard: calledByScript } }, async () => ({ ok: true }));
    for (const url of ['/bff/user', '/bff/%75ser', '/%62ff/user', '/bff/%75%73%65%72']) {
      const refused = await app.inject({ url });
      expect([url, refused.statusCode, refused.json()]).toEqual([
        url,
        403,
        { error: 'forbidden', reason: 'missing_csrf_header' },
      ]);
      expect((await app.inject({ url, headers: { 'x-csrf': '1' } })).statusCode).toBe(200);
      const crossSite = await app.inject({ url, headers: { 'x-csrf': '1', origin: 'https://evil.example' } });
      expect(crossSite.statusCode).toBe(403);
    }
  });

  it('checks no header on a navigation, and nothing on a route without a guard', async () => {
    const app = guardedApp();
    app.get('/bff/login', { config: { guard: signInNavigation } }, async () => 'login');
    app.get('/elsewhere', async () => 'page');
    expect((await app.inject({ url: '/bff/%6cogin' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/elsewhere' })).statusCode).toBe(200);
  });

  it('refuses past the rate limit: 429 JSON on an API route, the navigation failure on a navigation', async () => {
    const app = guardedApp(1);
    app.get('/machine', { config: { guard: { ...calledByScript, rateLimit: 'clientRoutes' } } }, async () => 'ok');
    app.get('/bff/login', { config: { guard: { ...signInNavigation, rateLimit: 'login' } } }, async () => 'ok');
    const headers = { 'x-csrf': '1' };
    expect((await app.inject({ url: '/machine', headers })).statusCode).toBe(200);
    const limited = await app.inject({ url: '/machine', headers });
    expect([limited.statusCode, limited.json()]).toEqual([429, { error: 'too_many_requests', reason: 'rate_limited' }]);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.inject({ url: '/bff/login' })).statusCode).toBe(200);
    const navigation = await app.inject({ url: '/bff/login' });
    expect([navigation.statusCode, navigation.headers.location]).toEqual([
      303,
      '/failed?error=temporarily_unavailable',
    ]);
    expect(navigation.headers['retry-after']).toBeDefined();
  });

  it('starts a sign-in only from a top-level document navigation when the browser says what the request is, before counting', async () => {
    const app = guardedApp(1);
    app.get('/bff/login', { config: { guard: startsSignIn } }, async () => 'ok');
    const image = await app.inject({
      url: '/bff/login',
      headers: { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    });
    expect([image.statusCode, image.json()]).toEqual([403, { error: 'forbidden', reason: 'not_a_navigation' }]);
    const frame = await app.inject({
      url: '/bff/login',
      headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
    });
    expect(frame.statusCode).toBe(403);
    // Neither was counted: the one request the limit allows is still there.
    const click = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    expect((await app.inject({ url: '/bff/login', headers: click })).statusCode).toBe(200);
  });
});

describe('the guard decision for a WebSocket handshake', () => {
  const guard = { ...calledByScript, rateLimit: 'clientRoutes' } as const;
  const handshake = (headers: Record<string, string>) => ({
    headers: { origin: ownOrigin, ...headers },
    sourceAddress: '192.0.2.1',
    handshake: true,
  });

  it('takes Origin for x-csrf, accepts the websocket upgrade in any case and refuses any other with 400', async () => {
    const options = { ownOrigin, rateLimiter: limiter(100) };
    for (const upgrade of ['websocket', 'WebSocket']) {
      expect(await decideRouteGuard(guard, handshake({ upgrade }), options)).toEqual({ allowed: true });
    }
    for (const upgrade of ['foo/1', 'h2c', 'websocket, foo']) {
      expect(await decideRouteGuard(guard, handshake({ upgrade }), options)).toMatchObject({ status: 400 });
    }
    const crossSite = handshake({ upgrade: 'websocket', origin: 'https://evil.example' });
    expect(await decideRouteGuard(guard, crossSite, options)).toMatchObject({ status: 403 });
  });

  it('counts against the same per-source limit as the route’s requests', async () => {
    const options = { ownOrigin, rateLimiter: limiter(1) };
    const request = { headers: { 'x-csrf': '1' }, sourceAddress: '192.0.2.1' };
    expect(await decideRouteGuard(guard, request, options)).toEqual({ allowed: true });
    const refused = await decideRouteGuard(guard, handshake({ upgrade: 'websocket' }), options);
    expect(refused).toMatchObject({ allowed: false, status: 429, reason: 'rate_limited' });
  });
});
