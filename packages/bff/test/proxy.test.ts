import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { isValidAppSecretProof } from '@gatehouse/resource-server';
import { openStore, type Store } from '@gatehouse/store';
import {
  freePort,
  loginAtProvider,
  type ProviderPeer,
  sampleValue,
  startProviderPeer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';
import { BffMetrics } from '../src/metrics/bff-metrics.js';
import { startUpstreamApi } from './upstream-api.js';

// The proxy: two BFF instances sharing one Redis in front of a real upstream API, logged in at
// oidc-provider. The instances' clock is shared and can jump ahead to make access tokens expire.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const underCi = process.env.CI === 'true' || process.env.CI === '1';

describe('BFF proxy', () => {
  let peer: ProviderPeer;
  let api: Awaited<ReturnType<typeof startUpstreamApi>>;
  let store: Store;
  const stores: Store[] = [];
  const instances: FastifyInstance[] = [];
  const origins: string[] = [];
  let clockOffsetMs = 0;
  let refreshCalls = 0;
  let clientCredentialCalls = 0;
  const metrics = new BffMetrics();
  /** The value of one series in the Prometheus text, 0 when absent. */
  const sample = async (name: string, labels: Record<string, string>) =>
    sampleValue((await metrics.render()).body, name, labels);

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${ports[0]}`;
    peer = await startProviderPeer({ redirectUri: `${publicUrl}/bff/callback` });
    api = await startUpstreamApi();
    // Sessions, locks and login state in Redis, as a scaled deployment keeps them; each instance has
    // its own connection. Outside CI, without Redis, the instances share one memory store instead.
    const keyPrefix = `gatehouse-test-bff-${process.pid}-${randomBytes(4).toString('hex')}:`;
    const openShared = async () => {
      try {
        return await openStore(redisUrl, { keyPrefix });
      } catch (error) {
        if (underCi) throw error;
        console.warn(`SKIPPED Redis for the BFF proxy suite (${(error as Error).message}); using memory`);
        return undefined;
      }
    };
    const shared = await openShared();
    const memory = shared ? undefined : await openStore('memory');
    store = (shared ?? memory) as Store;
    stores.push(store);
    const secondStore = shared ? ((await openShared()) as Store) : store;
    if (secondStore !== store) stores.push(secondStore);
    const config = loadBffConfig({
      publicUrl,
      issuer: peer.issuer,
      clientId: peer.client.clientId,
      clientSecret: peer.client.clientSecret,
      scopes: ['openid', 'profile', 'offline_access'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      upstreamTimeoutMs: 1_000,
      tokenMediating: { enabled: true },
      routes: [
        { path: '/api', target: api.url, token: 'user' },
        { path: '/public', target: `${api.url}/open`, token: 'none' },
        { path: '/down', target: 'http://127.0.0.1:1', token: 'none' },
        { path: '/machine', target: `${api.url}/machine`, token: 'client' },
        { path: '/proved', target: `${api.url}/proved`, token: 'user', appsecretProof: true },
        { path: '/narrow', target: `${api.url}/narrow`, token: 'user', scopes: ['openid'] },
        { path: '/admin', target: `${api.url}/admin`, token: 'user', scopes: ['admin'] },
      ],
    });
    // Counts refresh grants on their way to the provider: the single-flight check.
    const countingFetch: typeof fetch = async (input, init) => {
      if (String(init?.body ?? '').includes('grant_type=refresh_token')) refreshCalls += 1;
      if (String(init?.body ?? '').includes('grant_type=client_credentials')) clientCredentialCalls += 1;
      return fetch(input, init);
    };
    for (const [i, port] of ports.entries()) {
      const app = await createBff(config, {
        store: stores[i] ?? store,
        fetch: countingFetch,
        metrics,
        now: () => Date.now() + clockOffsetMs,
      });
      await app.listen({ port, host: '127.0.0.1' });
      instances.push(app);
      origins.push(`http://127.0.0.1:${port}`);
    }
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await api?.stop();
    await peer?.stop();
    for (const s of stores) await s.close();
  });

  async function signedIn(): Promise<TestBrowser> {
    const browser = new TestBrowser({ origin: origins[0] as string });
    const start = await browser.navigate('/bff/login');
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice');
    await browser.navigate(callback.href);
    return browser;
  }

  /** The same browser's cookies, talking to the other instance (as behind a load balancer). */
  function onInstance(browser: TestBrowser, index: number): TestBrowser {
    const other = new TestBrowser({ origin: origins[index] as string });
    for (const name of browser.cookieNames()) other.setCookie(name, browser.cookie(name) as string);
    return other;
  }

  it('ends a session on every instance at once when one logs it out, though the other had it cached', async () => {
    const browser = await signedIn();
    const other = onInstance(browser, 1);
    // The second instance reads the session once and then answers from its copy.
    expect((await other.fetch('/api/todos', { csrf: true })).status).toBe(200);
    expect((await other.fetch('/api/todos', { csrf: true })).status).toBe(200);
    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    expect(logout.status).toBe(200);
    // Far sooner than the 15 s the copy could live: the change notice dropped it.
    await expect
      .poll(async () => (await other.fetch('/api/todos', { csrf: true })).status, { timeout: 1_000, interval: 20 })
      .toBe(401);
  });

  it('answers an anonymous API call with 401 JSON, never a redirect', async () => {
    const response = await new TestBrowser({ origin: origins[0] as string }).fetch('/api/todos', { csrf: true });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthenticated', reason: 'no_session' });
  });

  it('forwards with the session’s access token and none of the browser’s credentials', async () => {
    const browser = await signedIn();
    const response = await browser.fetch('/api/todos?filter=open', {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/json', 'x-custom-header': 'hello', authorization: 'Bearer from-browser' },
      body: JSON.stringify({ title: 'Buy milk' }),
    });
    expect(response.status).toBe(200);
    const seen = api.seen.at(-1);
    expect(seen).toMatchObject({ method: 'POST', url: '/todos?filter=open', body: '{"title":"Buy milk"}' });
    expect(seen?.headers.authorization).toMatch(/^Bearer [A-Za-z0-9._-]+$/);
    expect(seen?.headers.authorization).not.toBe('Bearer from-browser');
    expect(seen?.headers['x-custom-header']).toBe('hello');
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-csrf']).toBeUndefined();
    expect(seen?.headers['x-forwarded-host']).toBe(new URL(origins[0] as string).host);
  });

  it('requires the CSRF header on every proxied method, GET included', async () => {
    const browser = await signedIn();
    const before = api.seen.length;
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await browser.fetch('/api/todos', { method });
      expect(response.status).toBe(403);
    }
    expect(api.seen.length).toBe(before);
  });

  // Sent raw with node:http: a browser or fetch would resolve `..`, `.` and even `%2e%2e` first.
  it.each([
    '/api/../admin',
    '/api/./x',
    '/api/%2e%2e/admin',
    '/api/..%2Fadmin',
    '/api/a%2Fb',
    '/api/a%5Cb',
    '/api/%2E%2E%2Fadmin',
    '/api/a\\b',
  ])('refuses the traversal probe %s without calling upstream', async (path) => {
    const browser = await signedIn();
    const before = api.seen.length;
    const status = await rawGet(origins[0] as string, path, { cookie: browser.cookieHeader(), 'x-csrf': '1' });
    expect([400, 404]).toContain(status);
    expect(api.seen.length).toBe(before);
  });

  it('keeps upstream cookies off the BFF’s origin and passes upstream 403s through', async () => {
    const browser = await signedIn();
    const response = await browser.fetch('/api/set-cookie', { csrf: true });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await browser.fetch('/api/forbidden', { csrf: true })).status).toBe(403);
  });

  it('sends no token on a `none` route, maps its target path, and works without a session', async () => {
    const response = await new TestBrowser({ origin: origins[0] as string }).fetch('/public/x', { csrf: true });
    expect(response.status).toBe(200);
    expect(api.seen.at(-1)).toMatchObject({ url: '/open/x' });
    expect(api.seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('answers 502 when the upstream refuses and 504 when it is too slow, as JSON', async () => {
    const browser = new TestBrowser({ origin: origins[0] as string });
    const down = await browser.fetch('/down/x', { csrf: true });
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({ error: 'unavailable', reason: 'upstream_unreachable' });
    const session = await signedIn();
    const slow = await session.fetch('/api/slow', { csrf: true });
    expect(slow.status).toBe(504);
  });

  it('counts proxied calls by configured route and how the upstream answered, and times them', async () => {
    const proxied = 'gatehouse_bff_proxied_requests_total';
    const before = {
      ok: await sample(proxied, { route: '/public', upstream_status: '2xx' }),
      down: await sample(proxied, { route: '/down', upstream_status: 'unreachable' }),
      timed: await sample('gatehouse_bff_proxied_request_duration_seconds_count', { route: '/public' }),
      http: await sample('gatehouse_http_requests_total', { server: 'bff', route: '/public/*', status: '200' }),
    };
    const browser = new TestBrowser({ origin: origins[0] as string });
    for (const path of ['/public/a', '/public/b?secret=1']) {
      expect((await browser.fetch(path, { csrf: true })).status).toBe(200);
    }
    expect((await browser.fetch('/down/x', { csrf: true })).status).toBe(502);
    expect((await sample(proxied, { route: '/public', upstream_status: '2xx' })) - before.ok).toBe(2);
    expect((await sample(proxied, { route: '/down', upstream_status: 'unreachable' })) - before.down).toBe(1);
    expect(
      (await sample('gatehouse_bff_proxied_request_duration_seconds_count', { route: '/public' })) - before.timed,
    ).toBe(2);
    // The BFF's own request counter names the route pattern, never the path that was asked for.
    expect(
      (await sample('gatehouse_http_requests_total', { server: 'bff', route: '/public/*', status: '200' })) -
        before.http,
    ).toBe(2);
    const { body } = await metrics.render();
    expect(body).not.toMatch(/\/public\/a|\/public\/b|secret=1/);
  });

  it('sends a client-credentials token on a `client` route, fetched once and reused, without a session', async () => {
    const browser = new TestBrowser({ origin: origins[0] as string });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => browser.fetch('/machine/job', { csrf: true })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(clientCredentialCalls).toBe(1);
    const sent = new Set(api.seen.slice(-10).map((r) => r.headers.authorization));
    expect(sent.size).toBe(1);
    expect([...sent][0]).toMatch(/^Bearer /);
  });

  it('gets a narrower token for a route that asks for fewer scopes, and refuses a scope never granted', async () => {
    const browser = await signedIn();
    await browser.fetch('/api/full', { csrf: true });
    const full = api.seen.at(-1)?.headers.authorization;
    expect((await browser.fetch('/narrow/x', { csrf: true })).status).toBe(200);
    const narrow = api.seen.at(-1)?.headers.authorization;
    expect(narrow).toMatch(/^Bearer /);
    expect(narrow).not.toBe(full);
    await browser.fetch('/narrow/y', { csrf: true });
    expect(api.seen.at(-1)?.headers.authorization).toBe(narrow); // kept in the session, reused
    await browser.fetch('/api/again', { csrf: true });
    expect(api.seen.at(-1)?.headers.authorization).toBe(full); // the login's token is untouched
    const before = api.seen.length;
    const admin = await browser.fetch('/admin/x', { csrf: true });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toEqual({ error: 'forbidden', reason: 'scope_not_granted' });
    expect(api.seen.length).toBe(before);
  });

  it('hands the SPA an access token in token-mediating mode, never a refresh token, never wider', async () => {
    const browser = await signedIn();
    const response = await browser.fetch('/bff/token', { csrf: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body.expires_in).toBeGreaterThan(0);
    const narrow = (await (await browser.fetch('/bff/token?scope=openid', { csrf: true })).json()) as Record<
      string,
      unknown
    >;
    expect(narrow.scope).toBe('openid');
    expect(narrow.access_token).not.toBe(body.access_token);
    expect((await browser.fetch('/bff/token?scope=admin', { csrf: true })).status).toBe(403);
    expect((await browser.navigate('/bff/token')).status).toBe(403);
    expect((await new TestBrowser({ origin: origins[0] as string }).fetch('/bff/token', { csrf: true })).status).toBe(
      401,
    );
  });

  it('slides the session on API calls, writing at most once a minute', async () => {
    const browser = await signedIn();
    const expiry = async () =>
      (
        (await (await browser.fetch('/bff/user?slide=false', { csrf: true })).json()) as {
          session: { expiresAt: number };
        }
      ).session.expiresAt;
    const before = await expiry();
    clockOffsetMs += 30_000;
    await browser.fetch('/api/a', { csrf: true });
    expect(await expiry()).toBe(before); // under a minute: no write
    clockOffsetMs += 60_000;
    await browser.fetch('/api/b', { csrf: true });
    expect(await expiry()).toBeGreaterThanOrEqual(before + 90_000);
  });

  it('adds appsecret_proof on routes that ask for it, and only there', async () => {
    const browser = await signedIn();
    await browser.fetch('/proved/x', { csrf: true });
    const proved = api.seen.at(-1);
    const token = String(proved?.headers.authorization ?? '').replace(/^Bearer /, '');
    expect(isValidAppSecretProof(token, peer.client.clientSecret, proved?.headers['appsecret-proof'] as string)).toBe(
      true,
    );
    await browser.fetch('/api/x', { csrf: true });
    expect(api.seen.at(-1)?.headers['appsecret-proof']).toBeUndefined();
  });

  it('refreshes an expiring token once for 40 concurrent calls spread over two instances', async () => {
    const browser = await signedIn();
    await browser.fetch('/api/warm', { csrf: true });
    const tokenBefore = api.seen.at(-1)?.headers.authorization;
    clockOffsetMs += 30 * 60_000; // the access token (10 min at the provider) is now past its margin
    refreshCalls = 0;
    const doneBefore = await sample('gatehouse_bff_refreshes_total', { outcome: 'done' });
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => onInstance(browser, i % 2).fetch(`/api/n${i}`, { csrf: true })),
    );
    const statuses = responses.map((r) => r.status);
    if (statuses.some((s) => s !== 200)) console.error(await responses.find((r) => r.status !== 200)?.text());
    expect(statuses).toEqual(Array(40).fill(200));
    expect(refreshCalls).toBe(1);
    expect((await sample('gatehouse_bff_refreshes_total', { outcome: 'done' })) - doneBefore).toBe(1);
    expect(await sample('gatehouse_bff_refreshes_total', { outcome: 'merged' })).toBeGreaterThan(0);
    const { body: text } = await metrics.render();
    expect(text).toMatch(/^gatehouse_bff_cookie_header_bytes_count [1-9]\d*$/m);
    expect(text).not.toMatch(/alice|Bearer|session=/);
    const tokensSent = new Set(api.seen.slice(-40).map((r) => r.headers.authorization));
    expect(tokensSent.size).toBe(1);
    expect(tokensSent.has(tokenBefore)).toBe(false);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  });
});

/** A GET whose path goes on the wire exactly as given. */
function rawGet(origin: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    const request = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (response) => {
      response.resume();
      resolve(response.statusCode as number);
    });
    request.on('error', reject);
    request.end();
  });
}
