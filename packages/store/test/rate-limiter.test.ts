import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../src/memory.js';
import { RateLimiter } from '../src/rate-limiter.js';
import type { Store } from '../src/store.js';

// Aligned to a window start, so the expected Retry-After is exact.
let now = Date.parse('2030-01-01T00:00:00Z');
let store: Store;
let limiter: RateLimiter;
const rule = { name: 'test', limit: 3, windowSeconds: 60 };

beforeEach(() => {
  now = Date.parse('2030-01-01T00:00:00Z');
  store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
  limiter = new RateLimiter(store, () => now);
});
afterEach(() => store.close());

describe('RateLimiter', () => {
  it('allows the limit in a window, refuses beyond it until the window ends, then starts again', async () => {
    const uses = [];
    for (let i = 0; i < 5; i += 1) uses.push(await limiter.take(rule, 'k'));
    expect(uses.map((use) => use.isOver)).toEqual([false, false, false, true, true]);
    expect(uses.map((use) => use.remaining)).toEqual([2, 1, 0, 0, 0]);
    now += 20_000;
    const refused = await limiter.take(rule, 'k');
    expect(refused.isOver).toBe(true);
    expect(refused.resetsInSeconds).toBe(40);
    now += 40_000;
    expect((await limiter.take(rule, 'k')).isOver).toBe(false);
  });

  it('gives a forgiven use back', async () => {
    for (let i = 0; i < 10; i += 1) await (await limiter.take(rule, 'k')).forgive();
    const uses = [];
    for (let i = 0; i < 4; i += 1) uses.push((await limiter.take(rule, 'k')).isOver);
    expect(uses).toEqual([false, false, false, true]);
  });

  it('lets no more than the limit through when the uses arrive all at once', async () => {
    const uses = await Promise.all(Array.from({ length: 50 }, () => limiter.take(rule, 'k')));
    expect(uses.filter((use) => !use.isOver)).toHaveLength(3);
  });

  it('counts each key and each rule on its own', async () => {
    for (let i = 0; i < 3; i += 1) await limiter.take(rule, 'k');
    expect((await limiter.take(rule, 'k')).isOver).toBe(true);
    expect((await limiter.take(rule, 'other')).isOver).toBe(false);
    expect((await limiter.take({ ...rule, name: 'another-rule' }, 'k')).isOver).toBe(false);
  });

  it('keeps no key in the clear in the store', async () => {
    await (await limiter.take(rule, 'alice@example.com|203.0.113.7')).forgive();
    for (let i = 0; i < 5; i += 1) await limiter.take(rule, 'alice@example.com|203.0.113.7');
    const forgiven = await store.findByIndex('nothing');
    expect(forgiven).toEqual([]);
    // The only entry is the forgiven count, named by a hash.
    expect(await store.countEntries()).toBe(1);
  });
});
