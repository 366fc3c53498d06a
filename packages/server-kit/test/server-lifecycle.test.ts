import { describe, expect, it } from 'vitest';
import { ServerLifecycle } from '../src/index.js';

describe('ServerLifecycle readiness', () => {
  it('is ready when every check passes, and names each check', async () => {
    const lifecycle = new ServerLifecycle();
    lifecycle.addReadinessCheck('store', async () => undefined);
    lifecycle.addReadinessCheck('signing_keys', async () => undefined);
    expect(await lifecycle.readiness()).toEqual({ ready: true, checks: { store: 'ok', signing_keys: 'ok' } });
  });

  it('names the check that failed, whether it rejected, threw or never answered', async () => {
    const lifecycle = new ServerLifecycle({ checkTimeoutMs: 50 });
    lifecycle.addReadinessCheck('store', () => Promise.reject(new Error('down')));
    lifecycle.addReadinessCheck('thrower', () => {
      throw new Error('at once');
    });
    lifecycle.addReadinessCheck('hangs', () => new Promise(() => undefined));
    lifecycle.addReadinessCheck('fine', async () => undefined);
    const started = performance.now();
    expect(await lifecycle.readiness()).toEqual({
      ready: false,
      reason: 'checks_failing',
      checks: { store: 'failing', thrower: 'failing', hangs: 'failing', fine: 'ok' },
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('runs the checks once for 2000 concurrent callers, and again only after the cache time', async () => {
    let now = 0;
    let runs = 0;
    const lifecycle = new ServerLifecycle({ cacheMs: 1_000, now: () => now });
    lifecycle.addReadinessCheck('store', async () => {
      runs += 1;
    });
    const reports = await Promise.all(Array.from({ length: 2000 }, () => lifecycle.readiness()));
    expect(reports.every((report) => report.ready)).toBe(true);
    expect(runs).toBe(1);
    now += 999;
    await lifecycle.readiness();
    expect(runs).toBe(1);
    now += 2;
    await lifecycle.readiness();
    expect(runs).toBe(2);
  });

  it('reports shutting_down from the stop signal on, without running any check', async () => {
    let runs = 0;
    const lifecycle = new ServerLifecycle({ cacheMs: 0 });
    lifecycle.addReadinessCheck('store', async () => {
      runs += 1;
    });
    lifecycle.beginDrain();
    expect(await lifecycle.readiness()).toEqual({ ready: false, reason: 'shutting_down', checks: {} });
    expect(runs).toBe(0);
    expect(lifecycle.phase).toBe('draining');
    expect(lifecycle.isStopping).toBe(true);
    expect(lifecycle.isClosing).toBe(false);
    lifecycle.beginClose();
    expect(lifecycle.isClosing).toBe(true);
  });

  it('lets a stop signal that comes while the checks run win over what they found', async () => {
    let release: () => void = () => undefined;
    const lifecycle = new ServerLifecycle();
    lifecycle.addReadinessCheck('store', () => new Promise<void>((resolve) => (release = resolve)));
    const pending = lifecycle.readiness();
    await new Promise((resolve) => setImmediate(resolve)); // the check has started
    lifecycle.beginDrain();
    release();
    expect((await pending).reason).toBe('shutting_down');
  });

  it('refuses a check name that is not a plain word, or added twice', () => {
    const lifecycle = new ServerLifecycle();
    expect(() => lifecycle.addReadinessCheck('Store!', async () => undefined)).toThrow(TypeError);
    lifecycle.addReadinessCheck('store', async () => undefined);
    expect(() => lifecycle.addReadinessCheck('store', async () => undefined)).toThrow(TypeError);
  });
});
