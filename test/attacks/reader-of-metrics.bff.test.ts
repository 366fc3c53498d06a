import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BffMetrics, createBff, loadBffConfig } from '@gatehouse/bff';
import { createMetricsRegistry, metricsRenderer, type OpsListener, startOpsListener } from '@gatehouse/server-kit';
import { openMemoryStore } from '@gatehouse/store';
import {
  demoUser,
  freePort,
  parseExposition,
  type RunningAuthorizationServer,
  sampleValue,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker reads what Prometheus scrapes — the metrics port of the BFF and of the authorization
 * server, a dashboard, a metrics backend shared with other teams — and holds nothing else. After a
 * sign-in, a proxied call and a refresh, nothing in either exposition may name or grant anything:
 * no token, code, session id, cookie, client secret, password, user id or e-mail address, and no
 * path a browser asked for. Every label takes its value from a short fixed list or the configuration.
 */

let provider: RunningAuthorizationServer;
let bff: FastifyInstance;
let origin: string;
let api: Server;
let apiUrl: string;
const bffMetrics = new BffMetrics();
const asRegistry = createMetricsRegistry();
const listeners: OpsListener[] = [];
const clientSecret = randomBytes(24).toString('base64url');
/** Everything secret the flows below handed out, as the token endpoint answered it. */
const secrets = new Set<string>();
let clockOffsetMs = 0;

beforeAll(async () => {
  api = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const asDeps = { metricsRegistry: asRegistry };
  provider = await startAuthorizationServer(
    {
      resources: [apiUrl],
      clients: [
        {
          client_id: 'metrics-bff',
          client_secret: clientSecret,
          client_name: 'Metrics',
          redirect_uris: [`${origin}/bff/callback`],
          post_logout_redirect_uris: [`${origin}/`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email offline_access api',
        },
      ],
    },
    asDeps as Parameters<typeof startAuthorizationServer>[1],
  );
  // Every token the provider hands the BFF, collected on its way.
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).endsWith('/token')) {
      const body = (await response.clone().json()) as Record<string, unknown>;
      for (const name of ['access_token', 'refresh_token', 'id_token']) {
        if (typeof body[name] === 'string') secrets.add(body[name] as string);
      }
    }
    return response;
  };
  const config = loadBffConfig({
    publicUrl: origin,
    issuer: provider.issuer,
    clientId: 'metrics-bff',
    clientSecret,
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    routes: [{ path: '/api', target: apiUrl, token: 'user', scopes: ['api'] }],
  });
  bff = await createBff(config, {
    store: openMemoryStore(),
    fetch: recordingFetch,
    metrics: bffMetrics,
    now: () => Date.now() + clockOffsetMs,
  });
  await bff.listen({ port, host: '127.0.0.1' });
  for (const metrics of [bffMetrics.render, metricsRenderer(asRegistry)]) {
    listeners.push(await startOpsListener({ host: '127.0.0.1', port: 0, metrics }));
  }
});
afterAll(async () => {
  for (const listener of listeners) await listener.close();
  bff?.server.closeAllConnections();
  await bff?.close();
  await provider?.close();
  await new Promise((resolve) => api?.close(resolve));
}, 60_000);

/** The two expositions as a scraper gets them, over HTTP from the metrics listeners. */
async function scrape(): Promise<{ bff: string; as: string }> {
  const [bffText, asText] = await Promise.all(
    listeners.map(async (listener) => {
      const response = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    }),
  );
  return { bff: bffText as string, as: asText as string };
}

describe('a reader of the metrics', () => {
  it('learns no token, session, cookie, secret or user from a sign-in, a proxied call and a refresh', async () => {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    const start = await browser.navigate('/bff/login?returnUrl=/private/alice-notes');
    const callback = await providerBrowser.authorize(start.headers.get('location') as string, `${origin}/bff/callback`);
    const code = callback.searchParams.get('code') as string;
    expect((await browser.navigate(callback.href)).status).toBe(200);
    const user = (await (await browser.fetch('/bff/user', { csrf: true })).json()) as {
      claims: Record<string, string>;
    };
    expect((await browser.fetch('/api/todos/secret-todo-42?q=private', { csrf: true })).status).toBe(200);
    const refreshesBefore = sampleValue((await scrape()).bff, 'gatehouse_bff_refreshes_total', { outcome: 'done' });
    // The access token is past its margin: the next call refreshes at the provider.
    clockOffsetMs += 2 * 3600_000;
    expect((await browser.fetch('/api/todos', { csrf: true })).status).toBe(200);

    const { bff: bffText, as: asText } = await scrape();
    // The flows really ran, and the scrape saw them.
    expect(sampleValue(bffText, 'gatehouse_bff_refreshes_total', { outcome: 'done' }) - refreshesBefore).toBe(1);
    expect(
      sampleValue(bffText, 'gatehouse_bff_proxied_requests_total', { route: '/api', upstream_status: '2xx' }),
    ).toBe(2);
    expect(sampleValue(asText, 'gatehouse_http_requests_total', { server: 'authorization-server' })).toBeGreaterThan(3);
    expect(
      sampleValue(bffText, 'gatehouse_store_operation_duration_seconds_count', { backend: 'memory' }),
    ).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThanOrEqual(4); // access, refresh and ID token, then the refreshed ones

    const cookies = [
      ...browser.cookieNames().map((name) => browser.cookie(name) as string),
      ...providerBrowser
        .cookieNames(provider.issuer)
        .map((name) => providerBrowser.cookie(name, provider.issuer) as string),
    ];
    expect(cookies.length).toBeGreaterThan(0);
    const forbidden = [
      ...secrets,
      ...cookies,
      code,
      clientSecret,
      demoUser.password,
      demoUser.email,
      user.claims.sub as string,
      'alice-notes',
      'secret-todo-42',
      'q=private',
    ].filter((value) => value.length >= 6);
    for (const text of [bffText, asText]) {
      for (const value of forbidden) expect(text).not.toContain(value);
      // Labels are words, route patterns and numbers: nothing long, random or quoted from a request.
      for (const sample of parseExposition(text)) {
        for (const value of Object.values(sample.labels)) {
          expect(value).toMatch(/^[A-Za-z0-9_.:/*+-]{1,64}$/);
          expect(value).not.toMatch(/[A-Za-z0-9_-]{25,}/);
        }
      }
      const routes = new Set(parseExposition(text).flatMap((sample) => sample.labels.route ?? []));
      for (const route of routes) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    }
  });
});
