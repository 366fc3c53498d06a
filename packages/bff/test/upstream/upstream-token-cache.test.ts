import { describe, expect, it } from 'vitest';
import { UpstreamTokenCache } from '../../src/upstream/upstream-token-cache.js';
import type { UpstreamToken } from '../../src/upstream/upstream-token-exchange.js';

const start = Date.parse('2030-01-01T00:00:00Z');

function setUp(options: { maxEntries?: number } = {}) {
  const clock = { now: start };
  const cache = new UpstreamTokenCache({ now: () => clock.now, ...options });
  let issued = 0;
  /** A fake exchange: a new token each time, living `lifetimeSeconds` (null: not said). */
  const exchange =
    (lifetimeSeconds: number | null = 3600) =>
    async (): Promise<UpstreamToken> => {
      issued += 1;
      return {
        accessToken: `token-${issued}`,
        expiresAt: lifetimeSeconds === null ? undefined : clock.now + lifetimeSeconds * 1000,
        appsecretProof: undefined,
      };
    };
  return { clock, cache, exchange, issued: () => issued };
}

describe('UpstreamTokenCache', () => {
  it('shares one exchange among concurrent callers for the same session and upstream', async () => {
    const { cache, exchange, issued } = setUp();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get('session-a', 'social', exchange())));
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['token-1']));
    expect(issued()).toBe(1);
  });

  it('keeps tokens apart per session and per upstream', async () => {
    const { cache, exchange } = setUp();
    const a = await cache.get('session-a', 'social', exchange());
    const b = await cache.get('session-b', 'social', exchange());
    const c = await cache.get('session-a', 'github', exchange());
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(3);
    expect(cache.size).toBe(3);
  });

  it('reuses a token until 30 s before it expires', async () => {
    const { clock, cache, exchange } = setUp();
    await cache.get('session-a', 'social', exchange(300));
    clock.now += 269_000;
    expect((await cache.get('session-a', 'social', exchange(300))).accessToken).toBe('token-1');
    clock.now += 1_000;
    expect((await cache.get('session-a', 'social', exchange(300))).accessToken).toBe('token-2');
  });

  it('does not keep a token that expires within 30 s, and keeps one of unknown lifetime for 30 s', async () => {
    const { clock, cache, exchange } = setUp();
    await cache.get('session-a', 'social', exchange(30));
    expect((await cache.get('session-a', 'social', exchange(30))).accessToken).toBe('token-2');
    await cache.get('session-b', 'social', exchange(null));
    clock.now += 29_000;
    expect((await cache.get('session-b', 'social', exchange(null))).accessToken).toBe('token-3');
    clock.now += 1_000;
    expect((await cache.get('session-b', 'social', exchange(null))).accessToken).toBe('token-4');
  });

  it('reuses a long-lived token for 5 minutes at most', async () => {
    const { clock, cache, exchange } = setUp();
    await cache.get('session-a', 'social', exchange(60 * 86_400));
    clock.now += 299_000;
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-1');
    clock.now += 1_000;
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-2');
  });

  it('keeps no failure: the next call exchanges again', async () => {
    const { cache, exchange } = setUp();
    const failing = async (): Promise<UpstreamToken> => {
      throw new Error('refused');
    };
    await expect(cache.get('session-a', 'social', failing)).rejects.toThrow('refused');
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-1');
  });

  it('forgets every token of an ended session, and a result that arrives after', async () => {
    const { cache, exchange } = setUp();
    await cache.get('session-a', 'social', exchange());
    await cache.get('session-a', 'github', exchange());
    await cache.get('session-b', 'social', exchange());
    cache.forget('session-a');
    expect(cache.size).toBe(1);
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-4');

    let finish: (token: UpstreamToken) => void = () => undefined;
    const slow = cache.get('session-c', 'social', () => new Promise((resolve) => (finish = resolve)));
    cache.forget('session-c');
    finish({ accessToken: 'late', expiresAt: undefined, appsecretProof: undefined });
    expect((await slow).accessToken).toBe('late');
    expect((await cache.get('session-c', 'social', exchange())).accessToken).toBe('token-5');
  });

  it('forgets a token the upstream refused, unless a newer one replaced it', async () => {
    const { cache, exchange } = setUp();
    await cache.get('session-a', 'social', exchange());
    cache.forgetToken('session-a', 'social', 'token-0');
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-1');
    cache.forgetToken('session-a', 'social', 'token-1');
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-2');
  });

  it('holds at most maxEntries tokens, dropping the least recently used session first', async () => {
    const { cache, exchange } = setUp({ maxEntries: 3 });
    await cache.get('session-a', 'social', exchange());
    await cache.get('session-b', 'social', exchange());
    await cache.get('session-c', 'social', exchange());
    await cache.get('session-a', 'social', exchange()); // a hit: session-a is now the most recent
    await cache.get('session-d', 'social', exchange());
    expect(cache.size).toBe(3);
    expect((await cache.get('session-a', 'social', exchange())).accessToken).toBe('token-1');
    expect((await cache.get('session-b', 'social', exchange())).accessToken).toBe('token-5');
  });
});
