import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, StoreClosedError, StoreInputError, StoreUnavailableError } from '../src/index.js';

/** What one backend gives the conformance suite. */
export interface StoreHarness {
  /** Opens a new client of the same store: another connection, sharing its data with the others. */
  open(): Promise<Store>;
  /** Clients of this backend do not share data (memory): the two-connection tests use one client. */
  isolatedClients?: boolean;
  /** Whether values written before `close()` are there for the next `open()`. */
  persistent: boolean;
  /**
   * Makes the backing server unreachable ('refuse': connections refused; 'blackhole': accepted but
   * never answered) until `restore()`. Each store it affects is opened by `openBehindOutage`.
   */
  outage?: {
    openBehindOutage(): Promise<Store>;
    begin(mode: 'refuse' | 'blackhole'): Promise<void>;
    restore(): Promise<void>;
    /** Holds every byte on open connections until `thaw()`: a server that stalls, then carries on. */
    freeze?(): void;
    thaw?(): void;
  };
  /** Opening a store whose server cannot be reached at all. */
  openUnreachable?: () => Promise<Store>;
  /** Makes the store unusable for a while without a network (SQLite: another writer holds the lock). */
  contention?: { openImpatient(): Promise<Store>; begin(): void; end(): void };
  /** Removes what the run left behind (schemas, key prefixes, files). */
  cleanup?: () => Promise<void>;
}

/** Long enough to be reliably alive at the first read, short enough to keep the suite fast. */
const shortTtlSeconds = 0.4;

/** Registers a test only when the backend has the capability: no server to lose, nothing to test. */
function itWhen(condition: boolean): (name: string, test: () => Promise<void>) => void {
  return condition ? (name, test) => it(name, test) : () => undefined;
}

async function expectRejects(promise: Promise<unknown>, errorClass: new (...args: never[]) => Error): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(errorClass);
}

/**
 * The one suite every backend must pass. Each `<backend>.test.ts` calls this with its harness.
 */
export function describeStore(name: string, harness: StoreHarness | undefined): void {
  // An unavailable backend's suite shows up as skipped (the test file printed why), not as failed;
  // a capability the backend lacks (memory has no server to lose) registers no test at all.
  if (!harness) {
    describe.skip(`store conformance: ${name}`, () => {
      it('needs its server', () => undefined);
    });
    return;
  }
  const h = harness;
  describe(`store conformance: ${name}`, () => {
    let store: Store;
    let second: Store;
    const opened = new Set<Store>();
    let seq = 0;
    /** A fresh namespace per test keeps tests independent of each other's data. */
    const ns = () => {
      seq += 1;
      return `t${seq}`;
    };

    async function open(): Promise<Store> {
      const s = await h.open();
      opened.add(s);
      return s;
    }

    beforeAll(async () => {
      store = await open();
      second = h.isolatedClients ? store : await open();
    });

    afterAll(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      await h.cleanup?.();
    });

    describe('put, get, delete', () => {
      it('returns undefined for an absent entry', async () => {
        expect(await store.get(ns(), 'missing')).toBeUndefined();
        expect(await store.getEntry(ns(), 'missing')).toBeUndefined();
      });

      it('round-trips every kind of JSON value', async () => {
        const space = ns();
        const values = [
          'text with ünïcødé and 😀',
          0,
          -12.5,
          true,
          false,
          null,
          [],
          [1, 'two', { three: [3] }],
          { nested: { deeply: { array: [null, true] } }, empty: {} },
        ];
        for (const [i, value] of values.entries()) await store.put(space, `v${i}`, value);
        for (const [i, value] of values.entries()) expect(await second.get(space, `v${i}`)).toEqual(value);
      });

      it('changes the version on every write and reports it with the entry', async () => {
        const space = ns();
        const first = await store.put(space, 'a', { n: 1 });
        const entry = await second.getEntry(space, 'a');
        expect(entry).toEqual({ value: { n: 1 }, version: first, expiresAt: null });
        const next = await store.put(space, 'a', { n: 2 });
        expect(next).not.toBe(first);
        expect((await store.getEntry(space, 'a'))?.version).toBe(next);
      });

      it('deletes, reporting whether a live entry was there', async () => {
        const space = ns();
        await store.put(space, 'a', 1);
        expect(await second.delete(space, 'a')).toBe(true);
        expect(await store.get(space, 'a')).toBeUndefined();
        expect(await store.delete(space, 'a')).toBe(false);
      });

      it('keeps namespaces apart', async () => {
        const [a, b] = [ns(), ns()];
        await store.put(a, 'same', 'in a');
        await store.put(b, 'same', 'in b');
        expect(await store.get(a, 'same')).toBe('in a');
        expect(await store.get(b, 'same')).toBe('in b');
      });

      it('round-trips a value of 1 MiB', async () => {
        const space = ns();
        const big = 'é😀abc'.repeat(Math.ceil((1024 * 1024) / 9)).slice(0, 700_000); // > 1 MiB of UTF-8
        expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(1024 * 1024);
        await store.put(space, 'big', { big });
        expect(await second.get(space, 'big')).toEqual({ big });
      });
    });

    describe('TTL', () => {
      it('treats an expired entry as absent for every operation', async () => {
        const space = ns();
        const version = await store.put(space, 'a', 'short', { ttlSeconds: shortTtlSeconds, indexes: ['ix'] });
        const entry = await second.getEntry(space, 'a');
        expect(entry?.value).toBe('short');
        expect(entry?.expiresAt).toBeGreaterThan(Date.now());
        expect(entry?.expiresAt).toBeLessThanOrEqual(Date.now() + shortTtlSeconds * 1000 + 50);
        await sleep(shortTtlSeconds * 1000 + 150);
        expect(await second.get(space, 'a')).toBeUndefined();
        expect(await store.take(space, 'a')).toBeUndefined();
        expect(await store.compareAndSet(space, 'a', version, 'late')).toBeUndefined();
        expect(await store.delete(space, 'a')).toBe(false);
        expect(await store.putIfAbsent(space, 'a', 'fresh')).toBeDefined();
        expect(await store.get(space, 'a')).toBe('fresh');
      });

      it('hides expired entries from indexes and does not count them as deleted', async () => {
        const space = ns();
        const index = `grant:${space}`;
        await store.put(space, 'short', 1, { ttlSeconds: shortTtlSeconds, indexes: [index] });
        await store.put(space, 'long', 2, { indexes: [index] });
        await sleep(shortTtlSeconds * 1000 + 150);
        expect((await second.findByIndex(index)).map((e) => e.id)).toEqual(['long']);
        expect(await second.deleteByIndex(index)).toBe(1);
      });

      it('reclaims the storage of expired entries', async () => {
        const space = ns();
        const before = await store.countEntries();
        for (let i = 0; i < 5; i += 1) await store.put(space, `e${i}`, i, { ttlSeconds: shortTtlSeconds });
        expect(await store.countEntries()).toBeGreaterThanOrEqual(before + 5);
        await sleep(shortTtlSeconds * 1000 + 150);
        await store.sweepExpired();
        // Other tests write concurrently, so compare with what was there, not with zero.
        expect(await store.countEntries()).toBeLessThan(before + 5);
      });

      it('never expires an entry written without a TTL, and a rewrite without one removes the expiry', async () => {
        const space = ns();
        await store.put(space, 'a', 1, { ttlSeconds: shortTtlSeconds });
        await store.put(space, 'a', 2);
        await sleep(shortTtlSeconds * 1000 + 150);
        expect(await store.getEntry(space, 'a')).toMatchObject({ value: 2, expiresAt: null });
      });
    });

    describe('take', () => {
      it('returns the value once, then undefined', async () => {
        const space = ns();
        await store.put(space, 'code', { sub: 'u1' });
        expect(await second.take(space, 'code')).toEqual({ sub: 'u1' });
        expect(await store.take(space, 'code')).toBeUndefined();
        expect(await store.get(space, 'code')).toBeUndefined();
      });

      it('gives the value to exactly one of 100 concurrent takers on two connections', async () => {
        const space = ns();
        for (let round = 0; round < 5; round += 1) {
          await store.put(space, `code${round}`, { round });
          const takers = Array.from({ length: 100 }, (_, i) =>
            (i % 2 === 0 ? store : second).take(space, `code${round}`),
          );
          const results = await Promise.all(takers);
          expect(results.filter((r) => r !== undefined)).toEqual([{ round }]);
        }
      });
    });

    describe('putIfAbsent', () => {
      it('writes only when absent, and exactly one of many concurrent writers wins', async () => {
        const space = ns();
        const writers = Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? store : second).putIfAbsent(space, 'jti', { writer: i }),
        );
        const versions = await Promise.all(writers);
        const winners = versions.flatMap((v, i) => (v === undefined ? [] : [i]));
        expect(winners).toHaveLength(1);
        expect(await store.get(space, 'jti')).toEqual({ writer: winners[0] });
      });
    });

    describe('compareAndSet', () => {
      it('replaces the entry only at the expected version', async () => {
        const space = ns();
        const v1 = await store.put(space, 'session', { tokens: 'old' });
        const v2 = await second.compareAndSet(space, 'session', v1, { tokens: 'new' });
        expect(v2).toBeDefined();
        expect(v2).not.toBe(v1);
        // A request still holding v1 loses and must re-read.
        expect(await store.compareAndSet(space, 'session', v1, { tokens: 'stale' })).toBeUndefined();
        expect(await store.getEntry(space, 'session')).toMatchObject({ value: { tokens: 'new' }, version: v2 });
      });

      it('fails on an absent entry', async () => {
        expect(await store.compareAndSet(ns(), 'none', 1, 'x')).toBeUndefined();
      });

      it('lets exactly one of many concurrent writers holding the same version win', async () => {
        const space = ns();
        const version = await store.put(space, 'family', { generation: 0 });
        const writers = Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? store : second).compareAndSet(space, 'family', version, { generation: 1, writer: i }),
        );
        const results = await Promise.all(writers);
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('sets the new TTL and index list', async () => {
        const space = ns();
        const v1 = await store.put(space, 's', 1, { indexes: [`old:${space}`] });
        await store.compareAndSet(space, 's', v1, 2, { ttlSeconds: 60, indexes: [`new:${space}`] });
        expect(await store.findByIndex(`old:${space}`)).toEqual([]);
        expect((await store.findByIndex(`new:${space}`)).map((e) => e.value)).toEqual([2]);
        expect((await store.getEntry(space, 's'))?.expiresAt).toBeGreaterThan(Date.now() + 50_000);
      });
    });

    describe('indexes', () => {
      it('finds and deletes every entry of an index across namespaces, and nothing else', async () => {
        const [tokens, codes] = [ns(), ns()];
        const grant = `grant:${tokens}`;
        const otherGrant = `grant:other-${tokens}`;
        await store.put(tokens, 'rt1', 'a', { indexes: [grant, `user:${tokens}`] });
        await store.put(tokens, 'rt2', 'b', { indexes: [grant], ttlSeconds: 600 });
        await store.put(codes, 'c1', 'c', { indexes: [grant] });
        await store.put(tokens, 'rt3', 'd', { indexes: [otherGrant, `user:${tokens}`] });

        const found = await second.findByIndex(grant);
        expect(found.map((e) => `${e.namespace}/${e.id}=${e.value}`).sort()).toEqual(
          [`${codes}/c1=c`, `${tokens}/rt1=a`, `${tokens}/rt2=b`].sort(),
        );
        expect(found.every((e) => typeof e.version === 'number')).toBe(true);

        expect(await second.deleteByIndex(grant)).toBe(3);
        expect(await store.get(tokens, 'rt1')).toBeUndefined();
        expect(await store.get(codes, 'c1')).toBeUndefined();
        expect(await store.get(tokens, 'rt3')).toBe('d');
        expect((await store.findByIndex(`user:${tokens}`)).map((e) => e.id)).toEqual(['rt3']);
        expect(await store.deleteByIndex(grant)).toBe(0);
      });

      it('drops an entry from an index it no longer carries', async () => {
        const space = ns();
        await store.put(space, 'a', 1, { indexes: [`s:${space}`] });
        await store.put(space, 'a', 2, { indexes: [`u:${space}`] });
        expect(await store.findByIndex(`s:${space}`)).toEqual([]);
        expect(await store.deleteByIndex(`s:${space}`)).toBe(0);
        expect(await store.get(space, 'a')).toBe(2);
      });

      it('forgets a taken or deleted entry', async () => {
        const space = ns();
        await store.put(space, 'a', 1, { indexes: [`g:${space}`] });
        await store.put(space, 'b', 2, { indexes: [`g:${space}`] });
        await store.take(space, 'a');
        await store.delete(space, 'b');
        expect(await store.findByIndex(`g:${space}`)).toEqual([]);
        await store.put(space, 'a', 3);
        expect(await store.deleteByIndex(`g:${space}`)).toBe(0);
        expect(await store.get(space, 'a')).toBe(3);
      });
    });

    describe('locks', () => {
      it('excludes a second holder until released, and only the owner can release', async () => {
        const name = `refresh:${ns()}`;
        const lock = await store.acquireLock(name, 30);
        expect(lock).toBeDefined();
        expect(lock?.owner.length).toBeGreaterThanOrEqual(22);
        expect(await second.acquireLock(name, 30)).toBeUndefined();
        expect(await second.releaseLock(name, 'not-the-owner')).toBe(false);
        expect(await second.acquireLock(name, 30)).toBeUndefined();
        expect(await lock?.release()).toBe(true);
        expect(await lock?.release()).toBe(false);
        const next = await second.acquireLock(name, 30);
        expect(next).toBeDefined();
        await next?.release();
      });

      it('frees itself when its holder dies, and the old owner cannot release the new holder', async () => {
        const name = `refresh:${ns()}`;
        const stale = await store.acquireLock(name, shortTtlSeconds);
        expect(stale).toBeDefined();
        await sleep(shortTtlSeconds * 1000 + 150);
        const fresh = await second.acquireLock(name, 30);
        expect(fresh).toBeDefined();
        expect(await stale?.release()).toBe(false);
        expect(await store.acquireLock(name, 30)).toBeUndefined();
        expect(await second.releaseLock(name, fresh?.owner as string)).toBe(true);
      });

      it('goes to exactly one of many concurrent acquirers', async () => {
        const name = `refresh:${ns()}`;
        const attempts = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : second).acquireLock(name, 30)),
        );
        const holders = attempts.filter((lock) => lock !== undefined);
        expect(holders).toHaveLength(1);
        expect(holders[0]?.expiresAt).toBeGreaterThan(Date.now() + 25_000);
      });
    });

    describe('counters', () => {
      it('counts increments within a window, per name', async () => {
        const [a, b] = [`login:${ns()}`, `login:${ns()}`];
        expect((await store.increment(a, 60)).count).toBe(1);
        expect((await second.increment(a, 60)).count).toBe(2);
        const third = await store.increment(a, 60);
        expect(third.count).toBe(3);
        expect(third.resetAt).toBeGreaterThan(Date.now() + 55_000);
        expect((await store.increment(b, 60)).count).toBe(1);
      });

      it('starts again from one when the window ends', async () => {
        const name = `login:${ns()}`;
        await store.increment(name, shortTtlSeconds);
        expect((await store.increment(name, shortTtlSeconds)).count).toBe(2);
        await sleep(shortTtlSeconds * 1000 + 150);
        expect((await second.increment(name, shortTtlSeconds)).count).toBe(1);
      });

      it('loses no increment under concurrency', async () => {
        const name = `login:${ns()}`;
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? store : second).increment(name, 60)),
        );
        expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      });
    });

    describe('input checks', () => {
      it.each([
        ['an empty namespace', () => store.get('', 'id')],
        ['an upper-case namespace', () => store.get('Tokens', 'id')],
        ['a namespace with a colon', () => store.put('a:b', 'id', 1)],
        ['a namespace of 65 characters', () => store.get(`a${'b'.repeat(64)}`, 'id')],
        ['a non-string namespace', () => store.get(42 as unknown as string, 'id')],
        ['an empty id', () => store.get('ok', '')],
        ['an id of 513 characters', () => store.put('ok', 'x'.repeat(513), 1)],
        ['an id with a NUL', () => store.take('ok', 'a\u0000b')],
        ['an id with a newline', () => store.delete('ok', 'a\nb')],
        ['an id with a lone surrogate', () => store.get('ok', 'a\uD800b')],
        ['a TTL of 0', () => store.put('ok', 'id', 1, { ttlSeconds: 0 })],
        ['a negative TTL', () => store.put('ok', 'id', 1, { ttlSeconds: -5 })],
        ['a NaN TTL', () => store.put('ok', 'id', 1, { ttlSeconds: Number.NaN })],
        ['an infinite TTL', () => store.put('ok', 'id', 1, { ttlSeconds: Number.POSITIVE_INFINITY })],
        ['a TTL over ten years', () => store.put('ok', 'id', 1, { ttlSeconds: 11 * 365 * 86400 })],
        ['a string TTL', () => store.put('ok', 'id', 1, { ttlSeconds: '60' as unknown as number })],
        ['an undefined value', () => store.put('ok', 'id', undefined as never)],
        ['a function value', () => store.put('ok', 'id', (() => 1) as never)],
        ['a BigInt value', () => store.put('ok', 'id', 1n as never)],
        [
          'a circular value',
          () => {
            const circular: Record<string, unknown> = {};
            circular.self = circular;
            return store.put('ok', 'id', circular as never);
          },
        ],
        ['a value over the size limit', () => store.put('ok', 'id', 'x'.repeat(3 * 1024 * 1024))],
        ['an empty index key', () => store.put('ok', 'id', 1, { indexes: [''] })],
        ['indexes that are not an array', () => store.put('ok', 'id', 1, { indexes: 'grant:1' as never })],
        ['an empty index to delete', () => store.deleteByIndex('')],
        ['an invalid expected version', () => store.compareAndSet('ok', 'id', 0, 1)],
        ['a zero lock TTL', () => store.acquireLock('lock', 0)],
        ['an empty lock name', () => store.acquireLock('', 10)],
        ['a negative counter window', () => store.increment('counter', -1)],
      ])('refuses %s with StoreInputError', async (_, call) => {
        await expectRejects(call(), StoreInputError);
      });

      it('writes nothing when it refuses a value', async () => {
        const space = ns();
        await store.put(space, 'id', 'kept');
        await expectRejects(store.put(space, 'id', 'x'.repeat(3 * 1024 * 1024)), StoreInputError);
        expect(await store.get(space, 'id')).toBe('kept');
      });
    });

    describe('lifecycle', () => {
      it('answers a ping without writing anything', async () => {
        const before = await store.countEntries();
        await expect(store.ping()).resolves.toBeUndefined();
        expect(await store.countEntries()).toBe(before);
      });

      it('refuses calls after close', async () => {
        const s = await h.open();
        await s.close();
        await expectRejects(s.get('ok', 'id'), StoreClosedError);
        await expectRejects(s.ping(), StoreClosedError);
        await s.close(); // a second close is harmless
      });

      itWhen(h.persistent)('keeps values across close and reopen', async () => {
        const space = ns();
        const s = await h.open();
        await s.put(space, 'kept', { across: 'restart' }, { indexes: [`r:${space}`] });
        await s.close();
        const reopened = await open();
        expect(await reopened.get(space, 'kept')).toEqual({ across: 'restart' });
        expect((await reopened.findByIndex(`r:${space}`)).length).toBe(1);
      });

      itWhen(h.openUnreachable !== undefined)(
        'raises StoreUnavailableError promptly when the server cannot be reached',
        async () => {
          const started = Date.now();
          await expectRejects((h.openUnreachable as () => Promise<Store>)(), StoreUnavailableError);
          expect(Date.now() - started).toBeLessThan(5_000);
        },
      );

      itWhen(h.outage?.freeze !== undefined)(
        'leaves no lock behind when taking it timed out in a stall that then ends',
        async () => {
          const outage = h.outage as Required<NonNullable<StoreHarness['outage']>>;
          const s = await outage.openBehindOutage();
          opened.add(s);
          const name = `stalled-lock-${ns()}`;
          await s.put(ns(), 'warm', 1); // connected before the stall
          outage.freeze();
          try {
            await expectRejects(s.acquireLock(name, 60), StoreUnavailableError);
          } finally {
            outage.thaw();
          }
          // The server ran the queued acquisition after the stall; nobody knows that lock's owner, so
          // unless the store released it, it would be held for the full 60 s. The release runs once the
          // connection is back, which takes seconds on a loaded machine: 10 s is still far from 60.
          const deadline = Date.now() + 10_000;
          let lock = await s.acquireLock(name, 60).catch(() => undefined);
          while (!lock && Date.now() < deadline) {
            await sleep(50);
            lock = await s.acquireLock(name, 60).catch(() => undefined);
          }
          expect(lock).toBeDefined();
          await lock?.release();
        },
      );

      for (const mode of ['refuse', 'blackhole'] as const) {
        itWhen(h.outage !== undefined)(
          `raises StoreUnavailableError within a bounded time when the server ${mode === 'refuse' ? 'goes away' : 'stops answering'}, then recovers by itself`,
          async () => {
            const outage = h.outage as NonNullable<StoreHarness['outage']>;
            const s = await outage.openBehindOutage();
            opened.add(s);
            const space = ns();
            await s.put(space, 'before', 1);
            await outage.begin(mode);
            try {
              for (const call of [
                () => s.get(space, 'before'),
                () => s.put(space, 'during', 2),
                () => s.take(space, 'before'),
                () => s.ping(),
              ]) {
                const started = Date.now();
                await expectRejects(call(), StoreUnavailableError);
                expect(Date.now() - started).toBeLessThan(4_000);
              }
            } finally {
              await outage.restore();
            }
            const deadline = Date.now() + 10_000;
            let value: unknown;
            for (;;) {
              try {
                value = await s.get(space, 'before');
                break;
              } catch (error) {
                if (!(error instanceof StoreUnavailableError) || Date.now() > deadline) throw error;
                await sleep(100);
              }
            }
            expect(value).toBe(1);
            expect(await s.get(space, 'during')).toBeUndefined();
          },
        );
      }

      itWhen(h.contention !== undefined)(
        'raises StoreUnavailableError when another writer holds the store too long, then recovers',
        async () => {
          const contention = h.contention as NonNullable<StoreHarness['contention']>;
          const s = await contention.openImpatient();
          opened.add(s);
          const space = ns();
          contention.begin();
          try {
            const started = Date.now();
            await expectRejects(s.put(space, 'a', 1), StoreUnavailableError);
            expect(Date.now() - started).toBeLessThan(4_000);
          } finally {
            contention.end();
          }
          await s.put(space, 'a', 1);
          expect(await s.get(space, 'a')).toBe(1);
        },
      );
    });

    it('delivers notifications to the subscribers of every client, or says it cannot (SQL backends)', async () => {
      if (!store.notifications || !second.notifications) {
        expect(store.backend).toBe('sqlite');
        return;
      }
      const channel = `c${ns()}`;
      const received: string[] = [];
      const unsubscribe = await second.notifications.subscribe(
        channel,
        (message) => received.push(message),
        () => undefined,
      );
      expect(second.notifications.connected).toBe(true);
      await store.notifications.publish(channel, 'session-1');
      await store.notifications.publish(`${channel}-other`, 'not for us');
      await expect.poll(() => received, { timeout: 2_000 }).toEqual(['session-1']);
      await unsubscribe();
      await store.notifications.publish(channel, 'after');
      await sleep(100);
      expect(received).toEqual(['session-1']);
      await expectRejects(store.notifications.publish('bad\nchannel', 'x'), StoreInputError);
    });
  });
}
