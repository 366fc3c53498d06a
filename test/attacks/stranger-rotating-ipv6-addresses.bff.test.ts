import { afterEach, describe, expect, it } from 'vitest';
import { type BffUnderAttack, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A stranger on IPv6 behind the operator's TLS proxy (`trustedProxies`, as docs/deployment.md sets
 * it up). One subscriber gets a whole /64 and can use a fresh address for every request, so the
 * authorization server counts an IPv6 source by its /64 prefix (`sourceOf`). Since #17 the BFF
 * believes the proxy's `X-Forwarded-For`, and its per-source limits (sign-in starts here) must count
 * the same way — or the stranger's 2^64 addresses are 2^64 separate limits. The proxy is honest: it
 * reports the address the stranger really connected from, each time another of the /64.
 */

let bff: BffUnderAttack | undefined;
afterEach(async () => {
  await bff?.close();
  bff = undefined;
});

/**
 * A sign-in start as a top-level navigation, forwarded by the proxy on 127.0.0.1 for `address`:
 * `started` (302 to the provider) or `refused` (the limit: 303 to login-failed with Retry-After).
 */
async function loginFrom(target: BffUnderAttack, address: string): Promise<'started' | 'refused' | number> {
  const answer = await rawRequest(target.port, '/bff/login?returnUrl=/', {
    headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'x-forwarded-for': address },
  });
  if (answer.status === 302) return 'started';
  if (answer.status === 303 && answer.headers['retry-after'] !== undefined) return 'refused';
  return answer.status;
}

describe('a stranger rotating IPv6 addresses within its own /64 behind the trusted proxy', () => {
  it('is one source for the BFF’s sign-in limit, as at the authorization server', async () => {
    bff = await startBffUnderAttack({ trustedProxies: ['127.0.0.1'], rateLimits: { login: { limit: 3 } } });
    const target = bff;
    // A fresh address of 2001:db8:1:2::/64 for each request.
    const outcomes: Array<string | number> = [];
    for (let i = 1; i <= 10; i += 1) outcomes.push(await loginFrom(target, `2001:db8:1:2::${i.toString(16)}`));
    expect(outcomes).toEqual([...Array(3).fill('started'), ...Array(7).fill('refused')]);
  });

  it('is limited when it keeps one address (the proxy’s X-Forwarded-For is believed)', async () => {
    bff = await startBffUnderAttack({ trustedProxies: ['127.0.0.1'], rateLimits: { login: { limit: 1 } } });
    expect(await loginFrom(bff, '2001:db8:1:2::1')).toBe('started');
    expect(await loginFrom(bff, '2001:db8:1:2::1')).toBe('refused');
    expect(await loginFrom(bff, '192.0.2.7')).toBe('started');
  });

  it('gets its own limit, once spent, from an address of another /64 (no collateral refusal)', async () => {
    bff = await startBffUnderAttack({ trustedProxies: ['127.0.0.1'], rateLimits: { login: { limit: 1 } } });
    expect(await loginFrom(bff, '2001:db8:1:2::1')).toBe('started');
    expect(await loginFrom(bff, '2001:db8:1:2::2')).toBe('refused');
    expect(await loginFrom(bff, '2001:db8:1:3::1')).toBe('started');
  });
});
