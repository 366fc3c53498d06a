import { describe, expect, it } from 'vitest';
import { openMemoryStore, waitForLock } from '../src/index.js';

describe('waitForLock', () => {
  it('waits for a held lock and takes it once released', async () => {
    const store = openMemoryStore();
    const first = await store.acquireLock('refresh', 30);
    setTimeout(() => void first?.release(), 60);
    const second = await waitForLock(store, 'refresh', { ttlSeconds: 30, waitMs: 2_000 });
    expect(second).toBeDefined();
    expect(second?.owner).not.toBe(first?.owner);
    await store.close();
  });

  it('gives up with undefined after waitMs while the lock stays held', async () => {
    const store = openMemoryStore();
    await store.acquireLock('refresh', 30);
    const started = performance.now();
    expect(await waitForLock(store, 'refresh', { ttlSeconds: 30, waitMs: 80, pollMs: 10 })).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    await store.close();
  });
});
