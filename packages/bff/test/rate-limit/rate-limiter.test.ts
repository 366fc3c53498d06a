import { openMemoryStore } from '@gatehouse/store';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/rate-limit/rate-limiter.js';

let now = Date.parse('2030-01-01T00:00:00Z');
const store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
const limits = { login: { limit: 3, windowSeconds: 60 }, clientRoutes: { limit: 1, windowSeconds: 10 } };
afterEach(() => {
  now += 3_600_000; // every test starts in a window of its own
});

describe('RateLimiter', () => {
  it('allows the limit per source and window, then refuses with the seconds left in the window', async () => {
    const limiter = new RateLimiter(store, limits, () => now);
    for (let i = 0; i < 3; i += 1) expect(await limiter.take('login', '192.0.2.1')).toEqual({ allowed: true });
    now += 15_500;
    expect(await limiter.take('login', '192.0.2.1')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    now += 45_000;
    expect(await limiter.take('login', '192.0.2.1')).toEqual({ allowed: true });
  });

  it('counts each source address and each route class on its own', async () => {
    const limiter = new RateLimiter(store, limits, () => now);
    expect(await limiter.take('clientRoutes', '192.0.2.1')).toEqual({ allowed: true });
    expect((await limiter.take('clientRoutes', '192.0.2.1')).allowed).toBe(false);
    expect(await limiter.take('clientRoutes', '2001:db8::1')).toEqual({ allowed: true });
    expect(await limiter.take('login', '192.0.2.1')).toEqual({ allowed: true });
  });

  it('counts atomically: of many parallel requests, exactly the limit get through', async () => {
    const limiter = new RateLimiter(store, limits, () => now);
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => limiter.take('login', '192.0.2.9')));
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(3);
  });

  it('shares its counters with every limiter on the same store (another BFF instance)', async () => {
    const first = new RateLimiter(store, limits, () => now);
    const second = new RateLimiter(store, limits, () => now);
    expect((await first.take('clientRoutes', '192.0.2.7')).allowed).toBe(true);
    expect((await second.take('clientRoutes', '192.0.2.7')).allowed).toBe(false);
  });

  it('asks for at least one second and at most a window: windows are aligned to the clock', async () => {
    now = Math.ceil(now / 10_000) * 10_000; // on a 10 s window's start
    const limiter = new RateLimiter(store, limits, () => now);
    expect((await limiter.take('clientRoutes', '192.0.2.5')).allowed).toBe(true);
    expect(await limiter.take('clientRoutes', '192.0.2.5')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now += 9_999;
    expect(await limiter.take('clientRoutes', '192.0.2.5')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('tells its observer of each refusal, by class, and of nothing else', async () => {
    const refused: string[] = [];
    const limiter = new RateLimiter(
      store,
      limits,
      () => now,
      (routeClass) => refused.push(routeClass),
    );
    for (let i = 0; i < 5; i += 1) await limiter.take('login', '192.0.2.11');
    await limiter.take('clientRoutes', '192.0.2.11');
    await limiter.take('clientRoutes', '192.0.2.11');
    expect(refused).toEqual(['login', 'login', 'clientRoutes']);
  });
});
