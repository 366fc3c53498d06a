import { openMemoryStore, RateLimiter, type Store } from '@gatehouse/store';
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RateLimitsConfig, rateLimitsSchema } from '../../src/config/rate-limits-config.js';
import { type LoginAttempt, type LoginRefusal, LoginThrottle } from '../../src/stores/login-throttle.js';

let now = Date.parse('2030-01-01T00:00:00Z');
let store: Store;

function throttle(overrides: Partial<RateLimitsConfig> = {}): LoginThrottle {
  const limits = { ...(Value.Default(rateLimitsSchema, {}) as RateLimitsConfig), ...overrides };
  return new LoginThrottle(store, new RateLimiter(store, () => now), limits, () => now);
}

function allowed(attempt: LoginAttempt | LoginRefusal): LoginAttempt {
  if (!attempt.allowed) throw new Error(`refused for ${attempt.retryAfterSeconds} s`);
  return attempt;
}

async function fail(limits: LoginThrottle, email: string, source: string): Promise<number> {
  return allowed(await limits.begin(email, source)).failed();
}

beforeEach(() => {
  now = Date.parse('2030-01-01T00:00:00Z');
  store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
});
afterEach(() => store.close());

describe('LoginThrottle', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(rateLimitsSchema, {})).toEqual({
      loginFailuresPerAccount: 5,
      loginDelaySeconds: 15,
      loginMaxDelaySeconds: 300,
      loginAccountWindowSeconds: 86400,
      loginFailuresPerIp: 50,
      clientAuthFailuresPerClient: 50,
      registrationsPerIp: 10,
      windowSeconds: 900,
    });
  });

  it('lets the first failures through, then delays a source, doubling up to the cap', async () => {
    const limits = throttle();
    expect(await fail(limits, 'a@example.com', 's')).toBe(0);
    for (let i = 0; i < 3; i += 1) await fail(limits, 'a@example.com', 's');
    const delays = [];
    for (let i = 0; i < 8; i += 1) {
      delays.push(await fail(limits, 'a@example.com', 's'));
      const refused = await limits.begin('a@example.com', 's');
      expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: delays.at(-1) });
      now += (delays.at(-1) as number) * 1000;
    }
    expect(delays).toEqual([15, 30, 60, 120, 240, 300, 300, 300]);
  });

  it('delays the account per source: another source still gets its attempt', async () => {
    const limits = throttle();
    for (let i = 0; i < 7; i += 1) await fail(limits, 'a@example.com', 'stranger').catch(() => 0);
    const owner = allowed(await limits.begin('A@Example.com ', 'owner'));
    await owner.succeeded();
    // Success lifts the owner's gate at once.
    allowed(await limits.begin('a@example.com', 'owner'));
  });

  it('gives exactly the free failures and one gated attempt to concurrent guesses from one source', async () => {
    const limits = throttle();
    const attempts = await Promise.all(Array.from({ length: 20 }, () => limits.begin('a@example.com', 's')));
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(5);
  });

  it('checks the source first: an address over its limit adds nothing to the account', async () => {
    const limits = throttle({ loginFailuresPerIp: 3, loginFailuresPerAccount: 3 });
    for (const email of ['x@example.com', 'y@example.com', 'z@example.com']) await fail(limits, email, 'flooder');
    for (let i = 0; i < 5; i += 1)
      expect(await limits.begin('a@example.com', 'flooder')).toMatchObject({ allowed: false });
    // The account still has all of its free failures for anybody else: two, then the delay.
    expect(await fail(limits, 'a@example.com', 'other')).toBe(0);
    expect(await fail(limits, 'a@example.com', 'other')).toBe(0);
    expect(await fail(limits, 'a@example.com', 'a third')).toBe(15);
  });

  it('does not count a success towards either limit', async () => {
    const limits = throttle({ loginFailuresPerIp: 3, loginFailuresPerAccount: 2 });
    for (let i = 0; i < 10; i += 1) await allowed(await limits.begin('a@example.com', 's')).succeeded();
    expect(await fail(limits, 'a@example.com', 's')).toBe(0);
  });

  it('refuses an address past its limit until the window ends', async () => {
    const limits = throttle({ loginFailuresPerIp: 2 });
    expect(await fail(limits, 'x@example.com', 's')).toBe(0);
    expect(await fail(limits, 'y@example.com', 's')).toBe(900);
    now += 300_000;
    expect(await limits.begin('z@example.com', 's')).toEqual({ allowed: false, retryAfterSeconds: 600 });
    now += 600_000;
    allowed(await limits.begin('z@example.com', 's'));
  });
});
