import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openMemoryStore, openRedisStore, type Store } from '@gatehouse/store';
import {
  type BffUnderTest,
  bffClientAt,
  buildBff,
  type FaultyHttpProxy,
  freePort,
  injectedBffOrigin,
  ManualClock,
  type RunningAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
  startAuthorizationServer,
  startFaultyHttpProxy,
  TcpProxy,
} from '@gatehouse/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreamApi } from './upstream-api.js';

// Faults between the BFF and its provider or store must never sign a user out (issue #17). The
// provider is Gatehouse's own authorization server — with its real rotation and grace window —
// behind a proxy that stalls, cuts, resets or fails /token on cue; the BFF instances share a real
// Redis. One clock for both servers, moved by hand, makes tokens expire when the test says.
const redisAvailable = await requireService('Redis', redisUrl);

const refreshTimeoutMs = 400;
const tokenPath = '/token';

describe.runIf(redisAvailable)('BFF refresh under provider and store faults', () => {
  const clock = new ManualClock();
  const tokenEncryptionKeys = [randomBytes(32).toString('base64url')];
  let proxy: FaultyHttpProxy;
  let provider: RunningAuthorizationServer;
  let api: Awaited<ReturnType<typeof startUpstreamApi>>;
  const stores: Store[] = [];
  const instances: BffUnderTest[] = [];

  async function openSharedStore(url = redisUrl, commandTimeoutMs?: number): Promise<Store> {
    const store = await openRedisStore(url, {
      keyPrefix: `${runScopedName('gatehouse-test-refresh-faults')}:`,
      ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }),
    });
    stores.push(store);
    return store;
  }

  async function startBff(store: Store, overrides: Record<string, unknown> = {}): Promise<BffUnderTest> {
    const bff = await buildBff(
      provider,
      {
        tokenEncryptionKeys,
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        refreshMarginSeconds: 10,
        refreshTimeoutMs,
        routes: [{ path: '/api', target: api.url, token: 'user' }],
        ...overrides,
      },
      { store, now: clock.now },
    );
    instances.push(bff);
    return bff;
  }

  beforeAll(async () => {
    api = await startUpstreamApi();
    const asPort = await freePort();
    proxy = await startFaultyHttpProxy(asPort);
    // The provider's public URL is the proxy's, so every endpoint the BFF discovers leads through it.
    provider = await startAuthorizationServer(
      { issuer: proxy.url, port: asPort, clients: [bffClientAt(injectedBffOrigin)], accessTokenTtlSeconds: 60 },
      { now: clock.now, store: openMemoryStore({ now: clock.now, sweepIntervalMs: 0 }) },
    );
  });
  afterEach(() => proxy.clearFaults());
  afterAll(async () => {
    for (const bff of instances) await bff.close();
    for (const store of stores) await store.close();
    await provider?.close();
    await proxy?.close();
    await api?.stop();
  });

  /** Signs in at `bff` and returns the session cookie, its access token already expired. */
  async function expiredSession(bff: BffUnderTest): Promise<string> {
    const cookie = await signIn(bff, bff.browser());
    clock.advance(61);
    return cookie;
  }

  async function signIn(bff: BffUnderTest, browser: ReturnType<BffUnderTest['browser']>): Promise<string> {
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const callback = await browser.authorize(start.headers.get('location') as string, `${bff.origin}/bff/callback`);
    const landing = await browser.navigate(callback.href, { from: provider.issuer });
    expect(landing.status).toBe(200);
    const cookie = browser.cookie('__Host-gh-session');
    expect(cookie).toBeDefined();
    return `__Host-gh-session=${cookie}`;
  }

  const call = (bff: BffUnderTest, cookie: string) =>
    bff.app.inject({ url: '/api/things', headers: { cookie, 'x-csrf': '1' } });

  /** Waits out the remembered failure (`Retry-After`), as a browser told so would. */
  const afterRetryAfter = () => sleep(2_100);

  it('calls waiting on a refresh the provider answers too late get 503/504 with Retry-After, never 401, and the session survives', async () => {
    const store = await openSharedStore();
    const bffs = [await startBff(store), await startBff(store), await startBff(store)];
    const cookie = await expiredSession(bffs[0] as BffUnderTest);
    const before = proxy.forwarded(tokenPath);
    // Both attempts of the one refresh answer after the deadline (the provider still rotates).
    proxy.failNext(tokenPath, { kind: 'stall', ms: refreshTimeoutMs * 2 }, 2);

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(bffs[i % bffs.length] as BffUnderTest, cookie)),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 401)).toEqual([]);
    for (const answer of answers) {
      expect([503, 504]).toContain(answer.statusCode);
      expect(answer.headers['retry-after']).toBe('2');
      expect(answer.json()).toMatchObject({ error: 'unavailable' });
    }
    expect(answers.some((answer) => answer.json().reason === 'provider_timeout')).toBe(true);
    // One refresh and its one retry, not one per waiting call.
    expect(proxy.forwarded(tokenPath) - before).toBe(2);

    await afterRetryAfter();
    const next = await call(bffs[1] as BffUnderTest, cookie);
    expect(next.statusCode).toBe(200);
  });

  it('a refresh answered after the deadline once is retried at once and the calls succeed', async () => {
    const store = await openSharedStore();
    const bffs = [await startBff(store), await startBff(store)];
    const cookie = await expiredSession(bffs[0] as BffUnderTest);
    proxy.failNext(tokenPath, { kind: 'stall', ms: refreshTimeoutMs * 2 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(bffs[i % 2] as BffUnderTest, cookie)));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(20).fill(200));
  });

  it('an answer lost after the provider rotated does not sign the user out later', async () => {
    const bff = await startBff(await openSharedStore());
    const cookie = await expiredSession(bff);
    proxy.failNext(tokenPath, { kind: 'cut' });
    const first = await call(bff, cookie);
    expect(first.statusCode).toBe(200);

    // Long after the grace window: had the BFF kept the old refresh token, this would be reuse and
    // the provider would revoke the whole family.
    clock.advance(61);
    const later = await call(bff, cookie);
    expect(later.statusCode).toBe(200);
    const user = await bff.app.inject({ url: '/bff/user', headers: { cookie, 'x-csrf': '1' } });
    expect(user.statusCode).toBe(200);
  });

  it('a provider that refuses connections gives 503 provider_unavailable and keeps the session', async () => {
    const bff = await startBff(await openSharedStore());
    const cookie = await expiredSession(bff);
    await proxy.refuse();
    try {
      const refused = await call(bff, cookie);
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('2');
      expect(refused.json()).toEqual({ error: 'unavailable', reason: 'provider_unavailable' });
    } finally {
      await proxy.accept();
    }
    await afterRetryAfter();
    expect((await call(bff, cookie)).statusCode).toBe(200);
  });

  it('a provider answering 500 gives 503 and keeps the session', async () => {
    const bff = await startBff(await openSharedStore());
    const cookie = await expiredSession(bff);
    proxy.failNext(tokenPath, { kind: 'status', status: 500 }, 2);
    const failed = await call(bff, cookie);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toEqual({ error: 'unavailable', reason: 'provider_unavailable' });
    // Within Retry-After, another call does not try the provider again.
    const before = proxy.forwarded(tokenPath);
    expect((await call(bff, cookie)).statusCode).toBe(503);
    expect(proxy.forwarded(tokenPath)).toBe(before);
    await afterRetryAfter();
    expect((await call(bff, cookie)).statusCode).toBe(200);
  });

  it('dates the new token from when the refresh was sent, not from when a slow answer came', async () => {
    const bff = await startBff(await openSharedStore());
    const cookie = await expiredSession(bff);
    const before = proxy.forwarded(tokenPath);
    proxy.failNext(tokenPath, { kind: 'stall', ms: 300 });
    const pending = call(bff, cookie);
    // While the answer is held, 50 s pass on the servers' clock.
    while (proxy.forwarded(tokenPath) === before) await sleep(5);
    clock.advance(50);
    expect((await pending).statusCode).toBe(200);
    expect(proxy.forwarded(tokenPath) - before).toBe(1);
    // The token was issued for 60 s when the request left: 9 s remain, inside the 10 s margin, so the
    // next call refreshes. Dated from the answer's arrival it would look good for another 59 s.
    clock.advance(1);
    expect((await call(bff, cookie)).statusCode).toBe(200);
    expect(proxy.forwarded(tokenPath) - before).toBe(2);
  });

  it('a store frozen past its command timeout while the refresh lock is taken leaves no orphaned lock', async () => {
    const redis = new URL(redisUrl);
    const storeProxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await storeProxy.start();
    try {
      const store = await openSharedStore(`redis://127.0.0.1:${storeProxy.port}`, 300);
      // The real store, frozen by the test the moment the BFF starts taking the refresh lock.
      let freezeAtLock = false;
      const stalling: Store = Object.create(store, {
        acquireLock: {
          value: (name: string, ttlSeconds: number) => {
            if (freezeAtLock) {
              freezeAtLock = false;
              storeProxy.freeze();
              setTimeout(() => storeProxy.thaw(), 600);
            }
            return store.acquireLock(name, ttlSeconds);
          },
        },
      });
      const bff = await startBff(stalling);
      const cookie = await expiredSession(bff);
      freezeAtLock = true;
      const frozen = await call(bff, cookie);
      expect(frozen.statusCode).toBe(503);
      expect(frozen.json()).toEqual({ error: 'unavailable', reason: 'store_unavailable' });
      expect(frozen.headers['retry-after']).toBe('5');
      await sleep(700); // the stall is over, and the store ran what was queued
      const started = performance.now();
      const next = await call(bff, cookie);
      expect(next.statusCode).toBe(200);
      // Not after waiting out a lock held by nobody.
      expect(performance.now() - started).toBeLessThan(refreshTimeoutMs * 2);
    } finally {
      await storeProxy.stop();
    }
  });
});
