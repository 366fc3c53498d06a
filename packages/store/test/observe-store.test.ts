import { redisUrl, requireService, runScopedName } from '@gatehouse/test-kit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  combineStoreObservers,
  observeStore,
  openMemoryStore,
  openStore,
  StoreClosedError,
  StoreInputError,
  type StoreObserver,
  type StoreOperation,
} from '../src/index.js';
import { describeStore } from './conformance.js';

// An observed store keeps every promise of the store it wraps.
describeStore('observed memory', {
  open: async () => observeStore(openMemoryStore(), () => () => undefined),
  isolatedClients: true,
  persistent: false,
});

/** Records what the observer saw: each start, then each end with whether it failed. */
function recorder() {
  const seen: Array<StoreOperation & { phase: 'start' | 'end'; failed?: unknown }> = [];
  const observer: StoreObserver = (operation) => {
    seen.push({ ...operation, phase: 'start' });
    return (error) => seen.push({ ...operation, phase: 'end', failed: error });
  };
  return { seen, observer };
}

describe('observeStore', () => {
  it('tells the observer of each operation as it starts and as it ends, with its backend', async () => {
    const { seen, observer } = recorder();
    const store = observeStore(openMemoryStore(), observer);
    await store.put('sessions', 'secret-session-id', { user: 'alice' });
    expect(await store.get('sessions', 'secret-session-id')).toEqual({ user: 'alice' });
    expect(seen).toEqual([
      { operation: 'put', backend: 'memory', phase: 'start' },
      { operation: 'put', backend: 'memory', phase: 'end', failed: undefined },
      { operation: 'get', backend: 'memory', phase: 'start' },
      { operation: 'get', backend: 'memory', phase: 'end', failed: undefined },
    ]);
    // Never a key, a namespace or a value: they carry session and user ids.
    expect(JSON.stringify(seen)).not.toMatch(/secret-session-id|sessions|alice/);
    await store.close();
  });

  it('ends a failed operation with its error, which the caller still gets', async () => {
    const { seen, observer } = recorder();
    const store = observeStore(openMemoryStore(), observer);
    await expect(store.get('Not A Namespace', 'x')).rejects.toBeInstanceOf(StoreInputError);
    await store.close();
    await expect(store.take('codes', 'x')).rejects.toBeInstanceOf(StoreClosedError);
    const ends = seen.filter((entry) => entry.phase === 'end');
    expect(ends.map((entry) => entry.operation)).toEqual(['get', 'take']);
    expect(ends[0]?.failed).toBeInstanceOf(StoreInputError);
    expect(ends[1]?.failed).toBeInstanceOf(StoreClosedError);
  });

  it('observes the release of a lock it handed out, and notifications', async () => {
    const { seen, observer } = recorder();
    const store = observeStore(openMemoryStore(), observer);
    const lock = await store.acquireLock('refresh:s1', 10);
    expect(await lock?.release()).toBe(true);
    const messages: string[] = [];
    const unsubscribe = await store.notifications?.subscribe(
      'changes',
      (m) => messages.push(m),
      () => undefined,
    );
    await store.notifications?.publish('changes', 'k1');
    await unsubscribe?.();
    const started = seen.filter((entry) => entry.phase === 'start').map((entry) => entry.operation);
    expect(started).toEqual(['acquireLock', 'releaseLock', 'subscribe', 'publish']);
    expect(messages).toEqual(['k1']);
    await store.close();
  });

  it('keeps working when the observer throws, as it starts or as it ends', async () => {
    const throwsAtStart = observeStore(openMemoryStore(), () => {
      throw new Error('observer broke');
    });
    await throwsAtStart.put('a', '1', 1);
    expect(await throwsAtStart.get('a', '1')).toBe(1);
    const throwsAtEnd = observeStore(openMemoryStore(), () => () => {
      throw new Error('observer broke');
    });
    await throwsAtEnd.put('a', '1', 2);
    expect(await throwsAtEnd.get('a', '1')).toBe(2);
    await expect(throwsAtEnd.get('A', '1')).rejects.toBeInstanceOf(StoreInputError);
  });

  it('combines observers: started in order, ended in reverse, as nested spans', async () => {
    const order: string[] = [];
    const named =
      (name: string): StoreObserver =>
      () => {
        order.push(`start ${name}`);
        return () => order.push(`end ${name}`);
      };
    const store = observeStore(openMemoryStore(), combineStoreObservers(named('metrics'), undefined, named('trace')));
    await store.get('a', '1');
    expect(order).toEqual(['start metrics', 'start trace', 'end trace', 'end metrics']);
  });
});

const redisAvailable = await requireService('Redis', redisUrl);
const keyPrefix = `${runScopedName('gatehouse-observe-')}:`;

describe.skipIf(!redisAvailable)('openStore with an observer', () => {
  afterAll(async () => {
    const client = new Redis(redisUrl);
    const keys = await client.keys(`${keyPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('observes each side of a split store under its own backend, each call once', async () => {
    const { seen, observer } = recorder();
    const store = await openStore(
      { durable: 'memory', ephemeral: redisUrl },
      { keyPrefix, ephemeralNamespaces: ['sessions'], observer },
    );
    await store.put('sessions', 's1', 1);
    await store.put('accounts', 'u1', 2);
    await store.deleteByIndex('user:u1');
    await store.close();
    const started = seen.filter((entry) => entry.phase === 'start');
    expect(started).toEqual([
      { operation: 'put', backend: 'redis', phase: 'start' },
      { operation: 'put', backend: 'memory', phase: 'start' },
      // Visits both sides.
      { operation: 'deleteByIndex', backend: 'memory', phase: 'start' },
      { operation: 'deleteByIndex', backend: 'redis', phase: 'start' },
    ]);
  });
});
