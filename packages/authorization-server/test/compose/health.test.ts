import { setTimeout as sleep } from 'node:timers/promises';
import { openRedisStore } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  listenAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
  TcpProxy,
} from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';

let server: AuthorizationServerUnderTest | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await proxy?.stop();
  proxy = undefined;
});

/** Asks until `/readyz` answers `status` (its answer is cached for a second), at most 10 s. */
async function readyzUntil(issuer: string, status: number): Promise<Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await fetch(`${issuer}/readyz`);
    if (answer.status === status || Date.now() > deadline) return answer;
    await answer.body?.cancel();
    await sleep(100);
  }
}

const redisAvailable = await requireService('Redis', redisUrl);

describe.runIf(redisAvailable)('/healthz and /readyz with the store cut', () => {
  it('keeps /healthz at 200 while /readyz names the store, and is ready again when it is back', async () => {
    const target = new URL(redisUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    const port = proxy.port;
    const keyPrefix = `${runScopedName('gatehouse-test-as-health-')}:`;
    const store = await openRedisStore(`redis://127.0.0.1:${port}`, { keyPrefix, commandTimeoutMs: 500 });
    server = await listenAuthorizationServer({}, { store: () => store });
    const { issuer } = server;

    const ready = await fetch(`${issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', signing_keys: 'ok' } });

    await proxy.setMode('refuse');
    const notReady = await readyzUntil(issuer, 503);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('cache-control')).toBe('no-store');
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      reason: 'checks_failing',
      checks: { store: 'failing', signing_keys: 'ok' },
    });
    const live = await fetch(`${issuer}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });

    await proxy.setMode('forward');
    expect((await readyzUntil(issuer, 200)).status).toBe(200);

    await server.close();
    server = undefined;
    const client = new Redis(redisUrl);
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });
});

describe('the authorization server while it closes', () => {
  it('answers a late request in its route’s style: OAuth JSON at /token, a page elsewhere, both retryable', async () => {
    server = await buildAuthorizationServer();
    server.app.lifecycle.beginDrain();
    server.app.lifecycle.beginClose();
    const token = await server.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    expect(token.statusCode).toBe(503);
    expect(token.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const page = await server.app.inject({ url: '/register' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const answer of [token, page]) {
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.headers.connection).toBe('close');
    }
    // The probes still answer: alive, not ready.
    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const readyz = await server.app.inject({ url: '/readyz' });
    expect(readyz.statusCode).toBe(503);
    expect(readyz.json()).toEqual({ status: 'not_ready', reason: 'shutting_down', checks: {} });
  });

  it('answers /healthz and /readyz 404 on the public listener when they are served on the metrics listener', async () => {
    server = await buildAuthorizationServer({ metrics: { enabled: true }, health: { listener: 'metrics' } });
    for (const url of ['/healthz', '/readyz']) {
      expect((await server.app.inject({ url })).statusCode).toBe(404);
    }
  });
});
