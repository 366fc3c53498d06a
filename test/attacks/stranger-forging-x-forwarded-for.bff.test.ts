import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type BffUnderAttack, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A stranger names its own source address in `X-Forwarded-For`, hoping for a fresh per-source limit
 * per request and to make the API (which gets the BFF's `X-Forwarded-For`) believe another address:
 * straight to the BFF's port (no proxy trusted, or one the stranger is not), and through the trusted
 * proxy, which appends the address it saw after whatever the stranger wrote. On requests and on
 * WebSocket handshakes (one browser is one source on both).
 */

let bff: BffUnderAttack | undefined;
afterEach(async () => {
  await bff?.close();
  bff = undefined;
});

const navigation = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

/** `started` (302 to the provider) or `refused` (303 to login-failed with Retry-After). */
async function login(target: BffUnderAttack, headers: Record<string, string>, from?: string) {
  const answer = await rawRequest(target.port, '/bff/login?returnUrl=/', {
    headers: { ...navigation, ...headers },
    ...(from ? { from } : {}),
  });
  if (answer.status === 302) return 'started';
  return answer.status === 303 && answer.headers['retry-after'] !== undefined ? 'refused' : answer.status;
}

const forged = (i: number) => `203.0.113.${i}`;

describe('a stranger forging X-Forwarded-For at the BFF', () => {
  it.each([
    ['no proxy is trusted', []],
    ['the trusted proxy is another address', ['127.0.0.2']],
  ])('is counted by its connection when %s', async (_case, trustedProxies) => {
    bff = await startBffUnderAttack({ trustedProxies, rateLimits: { login: { limit: 2 } } });
    const target = bff;
    const outcomes = [];
    for (let i = 1; i <= 6; i += 1) outcomes.push(await login(target, { 'x-forwarded-for': forged(i) }));
    expect(outcomes).toEqual(['started', 'started', 'refused', 'refused', 'refused', 'refused']);
    // The API is told the connection's address, not the forged one.
    const proxied = await rawRequest(target.port, '/public/hello', {
      headers: { 'x-csrf': '1', 'x-forwarded-for': forged(99), forwarded: `for=${forged(99)}` },
    });
    expect(proxied.status).toBe(200);
    expect(target.api.seen.at(-1)?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(target.api.seen.at(-1)?.headers.forwarded).toBeUndefined();
  });

  it('is counted by the address the trusted proxy saw, whatever it wrote before it', async () => {
    bff = await startBffUnderAttack({ trustedProxies: ['127.0.0.1'], rateLimits: { login: { limit: 2 } } });
    const target = bff;
    const outcomes = [];
    // The proxy (127.0.0.1) appends the stranger's real address, 192.0.2.50, to the forged list.
    for (let i = 1; i <= 5; i += 1) {
      outcomes.push(await login(target, { 'x-forwarded-for': `${forged(i)}, 10.0.0.${i}, 192.0.2.50` }));
    }
    expect(outcomes).toEqual(['started', 'started', 'refused', 'refused', 'refused']);
    // Another browser behind the same proxy keeps its own limit.
    expect(await login(target, { 'x-forwarded-for': '192.0.2.51' })).toBe('started');
    const proxied = await rawRequest(target.port, '/public/hello', {
      headers: { 'x-csrf': '1', 'x-forwarded-for': `${forged(7)}, 192.0.2.50` },
    });
    expect(proxied.status).toBe(200);
    expect(target.api.seen.at(-1)?.headers['x-forwarded-for']).toBe('192.0.2.50');
  });

  it('cannot name its address to the API on a WebSocket handshake from an untrusted peer', async () => {
    bff = await startBffUnderAttack({ trustedProxies: ['127.0.0.2'] });
    const before = bff.api.seen.length;
    await rawRequest(bff.port, '/public/socket', {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        origin: bff.origin,
        'x-forwarded-for': forged(5),
      },
    });
    expect(bff.api.seen.length).toBe(before + 1);
    expect(bff.api.seen.at(-1)?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});
