import { openMemoryStore, openRedisStore, type Store } from '@gatehouse/store';
import { redisUrl, requireService, runScopedName } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { everySession, SessionCache } from '../../src/session/session-cache.js';

type Copy = { subject: string };
const always = () => true;

/** A loader that counts its calls and answers a fresh copy each time. */
function counting(subject = 'alice') {
  const loader = { calls: 0, load: async (): Promise<Copy> => ({ subject: `${subject}#${++loader.calls}` }) };
  return loader;
}

/** Notifications whose delivery the test switches off and on, as a dropped Redis connection would. */
function switchableNotifications() {
  const interruptions: (() => void)[] = [];
  return {
    connected: true,
    async publish() {},
    async subscribe(_channel: string, _listener: (message: string) => void, onInterrupted: () => void) {
      interruptions.push(onInterrupted);
      return async () => {};
    },
    interrupt() {
      for (const onInterrupted of interruptions) onInterrupted();
    },
  };
}

describe('session cache', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('loads on every read when no reuse window is set', async () => {
    const cache = new SessionCache<Copy>(undefined, {});
    const loader = counting();
    await cache.read('k', now, always, loader.load);
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(2);
  });

  it('reuses a copy for cacheMs, and never one the caller’s check refuses', async () => {
    const cache = new SessionCache<Copy>(undefined, { cacheMs: 1_000 });
    const loader = counting();
    expect(await cache.read('k', now, always, loader.load)).toEqual({ subject: 'alice#1' });
    expect(await cache.read('k', now + 999, always, loader.load)).toEqual({ subject: 'alice#1' });
    expect(await cache.read('k', now + 1_000, always, loader.load)).toEqual({ subject: 'alice#2' });
    expect(await cache.read('k', now + 1_001, () => false, loader.load)).toEqual({ subject: 'alice#3' });
  });

  it('keeps nothing for a key that loads as absent', async () => {
    const cache = new SessionCache<Copy>(undefined, { cacheMs: 1_000 });
    let calls = 0;
    const absent = async () => {
      calls += 1;
      return undefined;
    };
    await cache.read('k', now, always, absent);
    await cache.read('k', now, always, absent);
    expect(calls).toBe(2);
  });

  it('applies sharedCacheMs only once listening, and an announcement elsewhere drops the copy at once', async () => {
    const store = openMemoryStore();
    const here = new SessionCache<Copy>(store.notifications, { sharedCacheMs: 60_000 });
    const elsewhere = new SessionCache<Copy>(store.notifications, { sharedCacheMs: 60_000 });
    const loader = counting();
    await here.read('k', now, always, loader.load);
    await here.read('k', now, always, loader.load);
    expect(loader.calls).toBe(2); // not listening yet: cacheMs (0) applies

    await here.listen();
    await elsewhere.listen();
    await here.read('k', now, always, loader.load);
    expect(await here.read('k', now + 30_000, always, loader.load)).toEqual({ subject: 'alice#3' });
    await elsewhere.announce('k');
    expect(await here.read('k', now + 30_000, always, loader.load)).toEqual({ subject: 'alice#4' });

    await here.read('other', now, always, counting('bob').load);
    await elsewhere.announce(everySession);
    expect(await here.read('other', now, always, counting('carol').load)).toEqual({ subject: 'carol#1' });

    await here.stop();
    await here.read('k', now, always, loader.load);
    expect(loader.calls).toBe(5); // stopped: back to cacheMs (0)
    await elsewhere.stop();
    await store.close();
  });

  it('does not announce, nor count sharedCacheMs, with a store that cannot notify', async () => {
    const cache = new SessionCache<Copy>(undefined, { sharedCacheMs: 60_000 });
    await cache.listen();
    const loader = counting();
    await cache.read('k', now, always, loader.load);
    await cache.announce('k');
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(2);
  });

  it('drops everything when delivery is interrupted, and reuses nothing while it is down', async () => {
    const notifications = switchableNotifications();
    const cache = new SessionCache<Copy>(notifications, { sharedCacheMs: 60_000 });
    await cache.listen();
    const loader = counting();
    await cache.read('k', now, always, loader.load);
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(1);
    notifications.interrupt();
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(2);
    notifications.connected = false;
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(3);
  });

  it('does not keep a read that raced with an announced change (it may predate the change)', async () => {
    const store = openMemoryStore();
    const here = new SessionCache<Copy>(store.notifications, { sharedCacheMs: 60_000 });
    const elsewhere = new SessionCache<Copy>(store.notifications, { sharedCacheMs: 60_000 });
    await here.listen();
    await elsewhere.listen();
    let calls = 0;
    const racing = async () => {
      calls += 1;
      if (calls === 1) await elsewhere.announce('k'); // the change lands while this read is in flight
      return { subject: `alice#${calls}` };
    };
    expect(await here.read('k', now, always, racing)).toEqual({ subject: 'alice#1' });
    expect(await here.read('k', now, always, racing)).toEqual({ subject: 'alice#2' });
    expect(await here.read('k', now, always, racing)).toEqual({ subject: 'alice#2' });
    await here.stop();
    await elsewhere.stop();
    await store.close();
  });

  it('forgets a copy locally without telling anyone', async () => {
    const cache = new SessionCache<Copy>(undefined, { cacheMs: 60_000 });
    const loader = counting();
    await cache.read('k', now, always, loader.load);
    cache.forget('k');
    await cache.read('k', now, always, loader.load);
    expect(loader.calls).toBe(2);
  });
});

const redisAvailable = await requireService('Redis', redisUrl);

describe.runIf(redisAvailable)('session cache over Redis pub/sub', () => {
  const stores: Store[] = [];
  beforeAll(async () => {
    const keyPrefix = `${runScopedName('gatehouse-test-session-cache-')}:`;
    stores.push(await openRedisStore(redisUrl, { keyPrefix }), await openRedisStore(redisUrl, { keyPrefix }));
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('drops a copy on one instance when another announces a change over its own connection', async () => {
    const [one, two] = stores as [Store, Store];
    const here = new SessionCache<Copy>(one.notifications, { sharedCacheMs: 60_000 });
    const elsewhere = new SessionCache<Copy>(two.notifications, { sharedCacheMs: 60_000 });
    await here.listen();
    await elsewhere.listen();
    const now = Date.now();
    const loader = counting();
    await here.read('k', now, always, loader.load);
    await here.read('k', now, always, loader.load);
    expect(loader.calls).toBe(1);
    await elsewhere.announce('k');
    await vi.waitFor(async () => {
      await here.read('k', now, always, loader.load);
      expect(loader.calls).toBe(2);
    });
    await here.stop();
    await elsewhere.stop();
  });
});
