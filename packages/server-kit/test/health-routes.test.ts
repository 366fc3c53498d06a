import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, registerHealthRoutes, sendJsonError } from '../src/index.js';

function buildApp(lines: string[] = []): FastifyInstance {
  const app = createServer({
    logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: failure.kind }) },
  });
  app.setNotFoundHandler((_request, reply) => sendJsonError(reply, 404, { error: 'not_found' }));
  return app;
}

describe('health routes', () => {
  let app: FastifyInstance;
  afterEach(() => app?.close());

  it('answers /healthz 200 whatever the checks say, and /readyz 503 naming the failing check', async () => {
    app = buildApp();
    app.lifecycle.addReadinessCheck('store', () => Promise.reject(new Error('down')));
    app.lifecycle.addReadinessCheck('signing_keys', async () => undefined);
    registerHealthRoutes(app, { exposed: true });
    const live = await app.inject({ url: '/healthz' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'not_ready',
      reason: 'checks_failing',
      checks: { store: 'failing', signing_keys: 'ok' },
    });
    for (const answer of [live, ready]) {
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    expect((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
  });

  it('logs no line at info level for a probe, while other requests are logged', async () => {
    const lines: string[] = [];
    app = buildApp(lines);
    registerHealthRoutes(app, { exposed: true });
    app.get('/other', async () => ({}));
    await app.inject({ url: '/healthz' });
    await app.inject({ url: '/readyz' });
    expect(lines).toEqual([]);
    await app.inject({ url: '/other' });
    expect(lines.length).toBeGreaterThan(0);
  });

  it('keeps the paths reserved but answers them as unknown when served on the metrics listener instead', async () => {
    app = buildApp();
    registerHealthRoutes(app, { exposed: false });
    for (const url of ['/healthz', '/readyz']) {
      const answer = await app.inject({ url });
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toEqual({ error: 'not_found' });
    }
  });
});
