import { observeStore, openMemoryStore, openStore, StoreClosedError, StoreInputError } from '@gatehouse/store';
import { redisUrl, requireService, runScopedName, sampleValue } from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, metricsRenderer, storeMetricsObserver } from '../src/index.js';

const scrape = async (registry: ReturnType<typeof createMetricsRegistry>) =>
  (await metricsRenderer(registry, { processMetrics: false })()).body;

const redisAvailable = await requireService('Redis', redisUrl);
const keyPrefix = `${runScopedName('gatehouse-store-metrics-')}:`;

describe('store metrics', () => {
  it('times each operation by backend and operation, and counts the store failures', async () => {
    const registry = createMetricsRegistry();
    const store = observeStore(openMemoryStore(), storeMetricsObserver(registry));
    await store.put('sessions', 'session-id-7f3a', { sub: 'user-alice' });
    await store.get('sessions', 'session-id-7f3a');
    await store.get('sessions', 'other');
    // The caller's input, refused: timed, but not a store failure.
    await expect(store.get('Bad Namespace', 'x')).rejects.toBeInstanceOf(StoreInputError);
    await store.close();
    await expect(store.get('sessions', 'x')).rejects.toBeInstanceOf(StoreClosedError);
    const text = await scrape(registry);
    const get = { backend: 'memory', operation: 'get' };
    expect(sampleValue(text, 'gatehouse_store_operation_duration_seconds_count', get)).toBe(4);
    expect(sampleValue(text, 'gatehouse_store_operation_duration_seconds_count', { operation: 'put' })).toBe(1);
    expect(sampleValue(text, 'gatehouse_store_errors_total', get)).toBe(1);
    expect(text).not.toMatch(/session-id|alice|sessions/);
  });

  afterAll(async () => {
    if (!redisAvailable) return;
    const client = new Redis(redisUrl);
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it.skipIf(!redisAvailable)('labels each side of a split store with its own backend', async () => {
    const registry = createMetricsRegistry();
    const store = await openStore(
      { durable: 'memory', ephemeral: redisUrl },
      { keyPrefix, ephemeralNamespaces: ['sessions'], observer: storeMetricsObserver(registry) },
    );
    await store.put('sessions', 's1', 1, { ttlSeconds: 60 });
    await store.get('accounts', 'u1');
    await store.increment('limit', 60);
    await store.close();
    const text = await scrape(registry);
    const count = 'gatehouse_store_operation_duration_seconds_count';
    expect(sampleValue(text, count, { backend: 'redis', operation: 'put' })).toBe(1);
    expect(sampleValue(text, count, { backend: 'redis', operation: 'increment' })).toBe(1);
    expect(sampleValue(text, count, { backend: 'memory', operation: 'get' })).toBe(1);
    expect(sampleValue(text, count, { backend: 'split' })).toBe(0);
  });
});
