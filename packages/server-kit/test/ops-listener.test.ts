import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpsListener, ServerLifecycle, startOpsListener } from '../src/index.js';

describe('ops listener', () => {
  let ops: OpsListener | undefined;
  afterEach(async () => {
    await ops?.close();
    ops = undefined;
  });

  const at = (path: string, method: 'GET' | 'HEAD' | 'POST' = 'GET') =>
    request(`http://127.0.0.1:${ops?.port}${path}`, { method });

  it('serves /metrics from the function it is given, and /healthz and /readyz from the lifecycle', async () => {
    const lifecycle = new ServerLifecycle();
    lifecycle.addReadinessCheck('store', async () => undefined);
    ops = await startOpsListener({
      host: '127.0.0.1',
      port: 0,
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
      health: lifecycle,
    });
    const metrics = await at('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(await metrics.body.text()).toBe('up 1\n');
    const live = await at('/healthz');
    expect(live.statusCode).toBe(200);
    expect(live.headers['cache-control']).toBe('no-store');
    expect(await live.body.json()).toEqual({ status: 'ok' });
    const ready = await at('/readyz?probe=1');
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toEqual({ status: 'ready', checks: { store: 'ok' } });
    lifecycle.beginDrain();
    const draining = await at('/readyz');
    expect(draining.statusCode).toBe(503);
    expect(await draining.body.json()).toMatchObject({ status: 'not_ready', reason: 'shutting_down' });
  });

  it('answers 404 for any other path and for health when it has no lifecycle, 405 for other methods', async () => {
    ops = await startOpsListener({
      host: '127.0.0.1',
      port: 0,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    });
    expect((await at('/')).statusCode).toBe(404);
    expect((await at('/metrics/x')).statusCode).toBe(404);
    expect((await at('/readyz')).statusCode).toBe(404);
    const post = await at('/metrics', 'POST');
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await at('/metrics', 'HEAD');
    expect(head.statusCode).toBe(200);
  });

  it('answers 500 without detail when rendering fails', async () => {
    ops = await startOpsListener({
      host: '127.0.0.1',
      port: 0,
      metrics: async () => {
        throw new Error('secret detail');
      },
    });
    const failed = await at('/metrics');
    expect(failed.statusCode).toBe(500);
    expect(await failed.body.text()).toBe('');
  });

  it('refuses to start on a port in use, and closes with a kept-alive scraper connected', async () => {
    ops = await startOpsListener({ host: '127.0.0.1', port: 0, health: new ServerLifecycle() });
    await expect(startOpsListener({ host: '127.0.0.1', port: ops.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await (await at('/healthz')).body.dump(); // the global agent keeps this connection alive
    const started = performance.now();
    await ops.close();
    ops = undefined;
    expect(performance.now() - started).toBeLessThan(500);
  });
});
