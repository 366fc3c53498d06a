import { parseExposition, sampleValue } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMetricsRegistry,
  createServer,
  metricsRenderer,
  type Registry,
  registerHttpMetrics,
  sendJsonError,
} from '../src/index.js';

describe('HTTP metrics', () => {
  let app: FastifyInstance;
  let registry: Registry;
  let base: string;
  afterEach(() => app?.close());

  async function startApp() {
    registry = createMetricsRegistry();
    app = createServer({
      logger: false,
      failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: failure.kind }) },
      httpMetrics: { registry, server: 'test-server' },
    });
    app.get('/users/:id', async () => ({ ok: true }));
    app.post('/fail', async () => {
      throw new Error('boom');
    });
    await app.register(
      async (scoped) => {
        scoped.get('/*', async () => 'proxied');
      },
      { prefix: '/api' },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  }

  const scrape = async () => (await metricsRenderer(registry, { processMetrics: false })()).body;

  it('counts answers by route pattern, method and status, and times them by status class', async () => {
    await startApp();
    for (const id of ['alice', 'bob', '42']) expect((await fetch(`${base}/users/${id}`)).status).toBe(200);
    expect((await fetch(`${base}/fail`, { method: 'POST' })).status).toBe(500);
    expect((await fetch(`${base}/api/todos/7?q=secret`)).status).toBe(200);
    const text = await scrape();
    const labels = { server: 'test-server', method: 'GET' };
    expect(sampleValue(text, 'gatehouse_http_requests_total', { ...labels, route: '/users/:id', status: '200' })).toBe(
      3,
    );
    expect(sampleValue(text, 'gatehouse_http_requests_total', { route: '/fail', method: 'POST', status: '500' })).toBe(
      1,
    );
    expect(sampleValue(text, 'gatehouse_http_requests_total', { route: '/api/*', status: '200' })).toBe(1);
    expect(
      sampleValue(text, 'gatehouse_http_request_duration_seconds_count', {
        ...labels,
        route: '/users/:id',
        status_class: '2xx',
      }),
    ).toBe(3);
    expect(
      sampleValue(text, 'gatehouse_http_request_duration_seconds_bucket', {
        route: '/fail',
        status_class: '5xx',
        le: '+Inf',
      }),
    ).toBe(1);
    // The path's values never become labels.
    expect(text).not.toMatch(/alice|bob|todos|secret/);
  });

  it('a stranger sending hundreds of random paths cannot grow the label set past "unmatched"', async () => {
    await startApp();
    await fetch(`${base}/users/alice`);
    const before = parseExposition(await scrape()).length;
    const paths = Array.from({ length: 300 }, (_, i) => `/probe-${i}-${Math.random().toString(36).slice(2)}`);
    await Promise.all(
      [...paths, '/%zz', '/users', '/users/a/b', `/${'x'.repeat(2000)}`].map((path) => fetch(`${base}${path}`)),
    );
    // Methods a route does not serve, and odd ones, on an existing path.
    await fetch(`${base}/users/alice`, { method: 'DELETE' });
    await fetch(`${base}/users/alice`, { method: 'PROPFIND' });
    const text = await scrape();
    const samples = parseExposition(text);
    const routes = new Set(samples.map((sample) => sample.labels.route).filter(Boolean));
    expect([...routes].sort()).toEqual(['/users/:id', 'unmatched']);
    expect(sampleValue(text, 'gatehouse_http_requests_total', { route: 'unmatched' })).toBe(paths.length + 6);
    // 404 and 400 (the undecodable path), GET and the two other methods: a handful of series, whatever the paths.
    expect(samples.length - before).toBeLessThan(60);
    expect(text).not.toMatch(/probe-|%zz|xxxx/);
  });

  it('shares the series of two apps on one registry, told apart by server', async () => {
    registry = createMetricsRegistry();
    const failures = {
      render: (failure: { status: number; kind: string }, _r: unknown, reply: Parameters<typeof sendJsonError>[0]) =>
        sendJsonError(reply, failure.status, { error: failure.kind }),
    };
    const one = createServer({ logger: false, failures });
    const two = createServer({ logger: false, failures });
    registerHttpMetrics(one, { registry, server: 'one' });
    registerHttpMetrics(two, { registry, server: 'two' });
    for (const each of [one, two]) each.get('/x', async () => 'x');
    await one.inject({ url: '/x' });
    await two.inject({ url: '/x' });
    await two.inject({ url: '/x' });
    const text = await scrape();
    expect(sampleValue(text, 'gatehouse_http_requests_total', { server: 'one' })).toBe(1);
    expect(sampleValue(text, 'gatehouse_http_requests_total', { server: 'two' })).toBe(2);
    await Promise.all([one.close(), two.close()]);
  });

  it('renders the process metrics with the app metrics, in the Prometheus text format', async () => {
    await startApp();
    await fetch(`${base}/users/alice`);
    const { contentType, body } = await metricsRenderer(registry)();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sampleValue(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(body, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sampleValue(body, 'gatehouse_http_requests_total')).toBe(1);
  });
});
