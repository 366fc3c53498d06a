import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BffUnderAttack, type RawResponse, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A stranger with no account floods the BFF's anonymous, costly endpoints from one address: the
 * login start (each one writes a login transaction to the store) and `token: "client"` routes (each
 * one an API call made with the BFF's own identity). The BFF runs on its default limits — 60 sign-ins
 * started and 600 client-route calls a minute per source address — which the stranger must not be
 * able to exceed, nor turn against anybody else, nor dodge by spreading the flood over instances.
 */

const defaultLoginLimit = 60;
const defaultClientRouteLimit = 600;

let bff: BffUnderAttack;
beforeAll(async () => {
  bff = await startBffUnderAttack();
});
afterAll(() => bff.close());

/** `count` requests, `parallel` at a time, all from the loopback address `from`. */
async function flood(count: number, parallel: number, send: () => Promise<RawResponse>): Promise<RawResponse[]> {
  const responses: RawResponse[] = [];
  for (let sent = 0; sent < count; sent += parallel) {
    responses.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - sent) }, send))));
  }
  return responses;
}

function expectRetryAfterWithinAMinute(response: RawResponse): void {
  const seconds = Number(response.headers['retry-after']);
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
}

describe('a stranger flooding the login start', () => {
  const stranger = '127.0.0.2';
  const startLogin =
    (from: string, path = '/bff/login?returnUrl=/') =>
    () =>
      rawRequest(bff.port, path, { from });

  it('starts no more sign-ins than the per-source limit, and further requests write nothing to the store', async () => {
    const responses = await flood(defaultLoginLimit + 15, 15, startLogin(stranger));
    const started = responses.filter((response) => response.status === 302);
    const refused = responses.filter((response) => response.status !== 302);
    expect(started.length).toBe(defaultLoginLimit);
    for (const response of refused) {
      // A navigation: it ends on the SPA's login-failed route with a code the app explains.
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/authentication/login-failed?error=temporarily_unavailable');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['set-cookie']).toBeUndefined();
      expectRetryAfterWithinAMinute(response);
    }
    const entries = await bff.store.countEntries();
    await flood(30, 15, startLogin(stranger));
    await flood(10, 10, startLogin(stranger, '/bff/silent-login?returnUrl=/'));
    expect(await bff.store.countEntries()).toBe(entries);
  });

  it('cannot get past the limit by spreading the flood over another BFF instance', async () => {
    const otherPort = await bff.anotherInstance();
    const response = await rawRequest(otherPort, '/bff/login?returnUrl=/', { from: stranger });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/authentication/login-failed?error=temporarily_unavailable');
  });

  it('cannot stop a user at another address from signing in', async () => {
    const response = await rawRequest(bff.port, '/bff/login?returnUrl=/', { from: '127.0.0.3' });
    expect(response.status).toBe(302);
    expect(response.headers['set-cookie']?.join()).toContain('__Host-gh-login=');
  });
});

describe('a stranger flooding a token: client route, which anyone with x-csrf: 1 may call', () => {
  const stranger = '127.0.0.4';
  const callClientRoute = (from: string) => () =>
    rawRequest(bff.port, '/machine/jobs', { from, headers: { 'x-csrf': '1' } });

  it('makes no more calls with the BFF’s identity than the per-source limit', async () => {
    const before = bff.api.seen.length;
    const responses = await flood(defaultClientRouteLimit + 40, 40, callClientRoute(stranger));
    const served = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status !== 200);
    expect(served.length).toBe(defaultClientRouteLimit);
    expect(bff.api.seen.length - before).toBe(defaultClientRouteLimit);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(JSON.parse(response.body)).toEqual({ error: 'too_many_requests', reason: 'rate_limited' });
      expectRetryAfterWithinAMinute(response);
    }
  });

  it('cannot stop the app at another address from calling the route', async () => {
    expect((await callClientRoute('127.0.0.5')()).status).toBe(200);
  });

  it('is not counted for requests the CSRF rule refuses, which cost nothing upstream', async () => {
    const sneaky = '127.0.0.6';
    await flood(defaultClientRouteLimit + 10, 40, () => rawRequest(bff.port, '/machine/jobs', { from: sneaky }));
    expect((await callClientRoute(sneaky)()).status).toBe(200);
  });
});

describe('a stranger on a token: client route who sends WebSocket handshakes instead of requests', () => {
  const stranger = '127.0.0.31';
  const handshake =
    (from: string, upgrade = 'websocket') =>
    () =>
      rawRequest(bff.port, '/machine/jobs', {
        from,
        headers: {
          connection: 'Upgrade',
          upgrade,
          'sec-websocket-key': randomBytes(16).toString('base64'),
          'sec-websocket-version': '13',
          origin: bff.origin,
        },
      });

  it('makes no more calls with the BFF’s identity than the per-source limit, requests and handshakes together', async () => {
    await flood(defaultClientRouteLimit, 50, () =>
      rawRequest(bff.port, '/machine/jobs', { from: stranger, headers: { 'x-csrf': '1' } }),
    );
    const before = bff.api.seen.length;
    const refused = await flood(50, 50, handshake(stranger));
    expect(bff.api.seen.length - before).toBe(0);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expectRetryAfterWithinAMinute(response);
    }
  });

  it('is refused with 400 for an Upgrade other than websocket, before anything is counted or sent upstream', async () => {
    const other = '127.0.0.32';
    const before = bff.api.seen.length;
    const refused = await flood(defaultClientRouteLimit + 10, 50, handshake(other, 'foo/1'));
    expect(new Set(refused.map((response) => response.status))).toEqual(new Set([400]));
    expect(bff.api.seen.length - before).toBe(0);
    // Nothing was counted: this source's requests are still served.
    expect((await rawRequest(bff.port, '/machine/jobs', { from: other, headers: { 'x-csrf': '1' } })).status).toBe(200);
  });
});
