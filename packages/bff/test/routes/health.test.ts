import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '@gatehouse/config';
import { openMemoryStore, openRedisStore, type Store } from '@gatehouse/store';
import {
  redisUrl,
  requireService,
  runScopedName,
  scriptedBffClient,
  startScriptedProvider,
  TcpProxy,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const unreachableProvider = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'http://127.0.0.1:1/jwks',
};

function configFor(issuer: string, overrides: Record<string, unknown> = {}) {
  return loadBffConfig({
    publicUrl: 'https://app.example.com',
    issuer,
    ...scriptedBffClient,
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    routes: [{ path: '/api', target: 'http://127.0.0.1:1' }],
    ...overrides,
  });
}

/** A BFF answering through inject(), on a provider whose JWKS cannot be fetched. */
async function injectedBff(overrides: Record<string, unknown> = {}, store: Store = openMemoryStore()) {
  const app = await createBff(configFor(unreachableProvider.issuer, overrides), {
    store,
    metadata: unreachableProvider,
  });
  cleanups.push(
    () => store.close(),
    () => app.close(),
  );
  return app;
}

async function readyzUntil(url: string, status: number): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await fetch(url);
    if (answer.status === status || Date.now() > deadline) return answer;
    await answer.body?.cancel();
    await sleep(100);
  }
}

const redisAvailable = await requireService('Redis', redisUrl);

describe.runIf(redisAvailable)('the BFF’s /readyz with real dependencies', () => {
  it('is ready once the store answers and the provider’s keys are fetched; names the store when it is cut', async () => {
    const provider = await startScriptedProvider(scriptedBffClient);
    cleanups.push(() => provider.stop());
    const target = new URL(redisUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    cleanups.push(() => proxy.stop());
    const keyPrefix = `${runScopedName('gatehouse-test-bff-health-')}:`;
    const store = await openRedisStore(`redis://127.0.0.1:${proxy.port}`, { keyPrefix, commandTimeoutMs: 500 });
    cleanups.push(async () => {
      const client = new Redis(redisUrl);
      const keys = await client.keys(`${keyPrefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    });
    const app: FastifyInstance = await createBff(configFor(provider.issuer), { store });
    cleanups.push(
      () => store.close(),
      () => app.close(),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: 'ok', provider_discovery: 'ok', provider_keys: 'ok' },
    });

    await proxy.setMode('refuse');
    const notReady = await readyzUntil(`${origin}/readyz`, 503);
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      reason: 'checks_failing',
      checks: { store: 'failing', provider_discovery: 'ok', provider_keys: 'ok' },
    });
    // Alive all the same: restarting the BFF would not bring the store back.
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    await proxy.setMode('forward');
    expect((await readyzUntil(`${origin}/readyz`, 200)).status).toBe(200);
  });
});

describe('the BFF’s health routes', () => {
  it('names provider_keys while the provider’s JWKS cannot be fetched', async () => {
    const app = await injectedBff();
    const answer = await app.inject({ url: '/readyz' });
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toEqual({
      status: 'not_ready',
      reason: 'checks_failing',
      checks: { store: 'ok', provider_discovery: 'ok', provider_keys: 'failing' },
    });
  });

  it('needs no cookie, no CSRF header, sets no cookie, and is never cached, even asked cross-site', async () => {
    const app = await injectedBff();
    const answer = await app.inject({
      url: '/healthz',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', cookie: '__Host-gh-session=x' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ status: 'ok' });
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('wins over a static file of the same name, and on the metrics listener is the BFF’s JSON 404, not the SPA', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-health-static-'));
    writeFileSync(join(folder, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(folder, 'healthz'), 'a static file');
    const navigation = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    const publicHealth = await injectedBff({ static: folder });
    const served = await publicHealth.inject({ url: '/healthz', headers: navigation });
    expect(served.json()).toEqual({ status: 'ok' });
    const elsewhere = await injectedBff({
      static: folder,
      metrics: { enabled: true },
      health: { listener: 'metrics' },
    });
    for (const url of ['/healthz', '/readyz']) {
      const hidden = await elsewhere.inject({ url, headers: navigation });
      expect(hidden.statusCode).toBe(404);
      expect(hidden.json()).toEqual({ error: 'not_found', reason: 'no_such_route' });
    }
    // Any other page navigation still gets the SPA.
    expect((await elsewhere.inject({ url: '/todos', headers: navigation })).body).toContain('<title>app</title>');
  });

  it('answers a late request while it closes with 503 shutting_down and Retry-After, a sign-in on the login-failed route', async () => {
    const app = await injectedBff();
    app.lifecycle.beginDrain();
    app.lifecycle.beginClose();
    const api = await app.inject({ url: '/bff/user', headers: { 'x-csrf': '1' } });
    expect(api.statusCode).toBe(503);
    expect(api.json()).toEqual({ error: 'unavailable', reason: 'shutting_down' });
    expect(api.headers['retry-after']).toBe('1');
    expect(api.headers.connection).toBe('close');
    const login = await app.inject({ url: '/bff/login?returnUrl=/' });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/authentication/login-failed?error=temporarily_unavailable');
    const readyz = await app.inject({ url: '/readyz' });
    expect(readyz.json()).toEqual({ status: 'not_ready', reason: 'shutting_down', checks: {} });
  });
});

describe('the BFF config’s health and shutdown fields', () => {
  it('defaults to health on the public listener, no drain delay and a 10 s drain timeout', () => {
    const config = configFor(unreachableProvider.issuer);
    expect(config.health).toEqual({ listener: 'public' });
    expect(config.shutdown).toEqual({ drainDelayMs: 0, drainTimeoutMs: 10_000 });
  });

  it.each([
    ['/healthz', 'routes.0.path'],
    ['/readyz/deep', 'routes.0.path'],
  ])('refuses a proxied route on %s, naming %s', (path, field) => {
    expect(() => configFor(unreachableProvider.issuer, { routes: [{ path, target: 'http://127.0.0.1:1' }] })).toThrow(
      expect.objectContaining({ field }),
    );
  });

  it('refuses health on the metrics listener while that listener is off, naming health.listener', () => {
    try {
      configFor(unreachableProvider.issuer, { health: { listener: 'metrics' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('health.listener');
    }
  });
});
