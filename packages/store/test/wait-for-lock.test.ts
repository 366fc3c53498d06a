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

  it('with a recheck, takes a free lock at once without calling it', async () => {
    const store = openMemoryStore();
    let rechecks = 0;
    const recheck = async () => {
      rechecks += 1;
      return 'unused';
    };
    const lock = await waitForLock(store, 'refresh', { ttlSeconds: 30, waitMs: 2_000, recheck });
    expect(lock).toHaveProperty('owner');
    expect(rechecks).toBe(0);
    await store.close();
  });

  it('stops waiting with the recheck’s first answer, leaving the lock to its holder', async () => {
    const store = openMemoryStore();
    const holder = await store.acquireLock('refresh', 30);
    const answers = [undefined, undefined, { token: 'refreshed elsewhere' }];
    let rechecks = 0;
    const recheck = async () => answers[rechecks++];
    const outcome = await waitForLock(store, 'refresh', { ttlSeconds: 30, waitMs: 2_000, pollMs: 5, recheck });
    expect(outcome).toEqual({ rechecked: { token: 'refreshed elsewhere' } });
    expect(rechecks).toBe(3);
    expect(await holder?.release()).toBe(true); // never taken from its holder
    await store.close();
  });

  it('with a recheck that finds nothing, still takes the lock once released, or gives up after waitMs', async () => {
    const store = openMemoryStore();
    const first = await store.acquireLock('refresh', 30);
    setTimeout(() => void first?.release(), 60);
    let rechecks = 0;
    const nothing = async () => {
      rechecks += 1;
      return undefined;
    };
    const taken = await waitForLock(store, 'refresh', { ttlSeconds: 30, waitMs: 2_000, pollMs: 10, recheck: nothing });
    expect(taken).toHaveProperty('owner');
    expect(taken).not.toHaveProperty('owner', first?.owner);
    expect(rechecks).toBeGreaterThan(0);

    const started = performance.now();
    const options = { ttlSeconds: 30, waitMs: 80, pollMs: 10, recheck: nothing };
    expect(await waitForLock(store, 'refresh', options)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    await store.close();
  });
});
