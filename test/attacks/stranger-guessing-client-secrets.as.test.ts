import { ClientRegistry } from '@gatehouse/authorization-server';
import { openRedisStore, type Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  confidentialClient,
  listenAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
} from '@gatehouse/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * A stranger guesses web-app's client secret at the token endpoint, over loopback HTTP behind a
 * trusted proxy (X-Forwarded-For is the source). The per-(client, source) limit must hold however the
 * guesses are sent (one by one, in concurrent bursts, the same guess many times at once); past it
 * the right secret is refused too; the memo of recently verified secrets (per client and source)
 * must never help the stranger: not from another source, not by timing, not after a rotation.
 */

const limit = 5;
const right = confidentialClient.client_secret;
const realClient = '198.51.100.7';
const strangerHost = '203.0.113.66';

let runs = 0;
for (const onRedis of [false, true])
  describe(`a stranger guessing a client secret${onRedis ? ' (limiter and jti store in Redis)' : ''}`, () => {
    let server: AuthorizationServerUnderTest;
    beforeEach(async (test) => {
      let store: Store | undefined;
      if (onRedis) {
        if (!(await requireService('Redis', redisUrl))) return test.skip();
        runs += 1;
        store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('stranger-guess')}-${runs}:` });
      }
      const storeOption = store ? { store: () => store as Store } : {};
      server = await listenAuthorizationServer(
        {
          trustedProxies: ['127.0.0.1'],
          rateLimits: { clientAuthFailuresPerClient: limit },
        },
        storeOption,
      );
    });
    afterEach(async () => {
      await server?.close();
    });

    async function attempt(from: string, secret: string, clientId = 'web-app', post = false): Promise<number> {
      const fields: Record<string, string> = { grant_type: 'client_credentials', scope: 'api' };
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': from,
      };
      if (post) Object.assign(fields, { client_id: clientId, client_secret: secret });
      else headers.authorization = basicAuthorization(clientId, secret);
      const response = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(fields).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    }
    const guess = (i: number) => `guess-${i}-0123456789abcdefghijklmnopqrstuv`;

    it('the limit holds one guess at a time, and past it the right secret is refused from that source only', async () => {
      const answers: number[] = [];
      for (let i = 0; i < limit + 3; i += 1) answers.push(await attempt(strangerHost, guess(i)));
      expect(answers.slice(0, limit)).toEqual(Array(limit).fill(401));
      expect(answers.slice(limit)).toEqual([429, 429, 429]);
      expect(await attempt(strangerHost, right)).toBe(429);
      expect(await attempt(realClient, right)).toBe(200);
    });

    it('concurrent distinct guesses get at most `limit` answers other than 429', async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(strangerHost, guess(i))));
      expect(answers.filter((s) => s !== 429).length).toBeLessThanOrEqual(limit);
      expect(answers.every((s) => s === 401 || s === 429)).toBe(true);
      expect(await attempt(strangerHost, right)).toBe(429);
    });

    it('the same guess sent many times at once is counted once per request (no shared wrong check)', async () => {
      const answers = await Promise.all(Array.from({ length: 30 }, () => attempt(strangerHost, guess(1))));
      expect(answers.filter((s) => s !== 429).length).toBeLessThanOrEqual(limit);
      expect(await attempt(strangerHost, right)).toBe(429);
    });

    it('a burst mixing guesses with the right secret past the limit yields no 200 for the right one', async () => {
      for (let i = 0; i < limit; i += 1) await attempt(strangerHost, guess(i));
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => attempt(strangerHost, i % 3 === 0 ? right : guess(100 + i))),
      );
      expect(answers.filter((s) => s === 200)).toEqual([]);
    });

    it("the real client's remembered secret (another source) gives the stranger nothing", async () => {
      // The real client is busy: its secret is remembered for its own address.
      for (let i = 0; i < 10; i += 1) expect(await attempt(realClient, right)).toBe(200);
      const answers: number[] = [];
      for (let i = 0; i < limit + 2; i += 1) answers.push(await attempt(strangerHost, guess(i)));
      expect(answers).toEqual([...Array(limit).fill(401), 429, 429]);
      expect(await attempt(strangerHost, right)).toBe(429);
      // And the stranger's failures did not take the real client's memo or limit away.
      expect(await attempt(realClient, right)).toBe(200);
    });

    it("memo poisoning: the stranger's source cannot plant or evict the real client's remembered secret", async () => {
      expect(await attempt(realClient, right)).toBe(200);
      // Guesses under other client ids, the real client id with other sources, and a flood of sources.
      for (let i = 0; i < 30; i += 1) await attempt(`203.0.113.${i + 1}`, guess(i));
      for (let i = 0; i < 30; i += 1)
        await attempt(strangerHost, right.slice(0, -1) + String.fromCharCode(65 + (i % 26)));
      expect(await attempt(realClient, right)).toBe(200);
      expect(await attempt(realClient, guess(1))).toBe(401); // wrong from the real address: counted
    });

    it('at a shared address, a remembered secret stops skipping the limit once a guess failed there', async () => {
      for (let i = 0; i < 3; i += 1) expect(await attempt(realClient, right)).toBe(200);
      const answers: number[] = [];
      for (let i = 0; i < limit + 1; i += 1) answers.push(await attempt(realClient, guess(i)));
      expect(answers.at(-1)).toBe(429);
      // The right secret, remembered for this source moments ago, is now refused like any guess.
      expect(await attempt(realClient, right)).toBe(429);
    });

    it('a timing probe: a wrong guess after the right secret was remembered is as slow as any (counted, 429 past the limit)', async () => {
      // If the memo short-circuited before the limiter for a near-miss, the stranger would see 401s forever.
      expect(await attempt(strangerHost, right)).toBe(200);
      const answers: number[] = [];
      for (let i = 0; i < limit + 2; i += 1) answers.push(await attempt(strangerHost, `${right.slice(0, -1)}X`));
      expect(answers.slice(-2)).toEqual([429, 429]);
      expect(await attempt(strangerHost, right)).toBe(429);
    });

    it('a rotated secret is refused though it was remembered, from every source', async () => {
      const admin = new ClientRegistry([], server.store, server.clock.now, ['test-cookie-secret-0123456789abcdefghij']);
      const metadata = {
        client_id: 'rotating-app',
        client_secret: 'first-secret-0123456789abcdefghijklmnop',
        redirect_uris: ['https://rotating.example/cb'],
        grant_types: ['client_credentials'],
        scope: 'api',
      };
      await admin.register(metadata);
      for (let i = 0; i < 3; i += 1)
        expect(await attempt(realClient, metadata.client_secret, 'rotating-app')).toBe(200);
      await admin.register({ ...metadata, client_secret: 'second-secret-0123456789abcdefghijklmno' });
      server.clock.advance(31); // the registry's cache; the memo is fresh for 60 s
      expect(await attempt(realClient, metadata.client_secret, 'rotating-app')).toBe(401);
      expect(await attempt(strangerHost, metadata.client_secret, 'rotating-app')).toBe(401);
      expect(await attempt(realClient, 'second-secret-0123456789abcdefghijklmno', 'rotating-app')).toBe(200);
      // Rotated back to the first secret: a new hash, the old memo entry must not be confused with it.
      await admin.register(metadata);
      server.clock.advance(31);
      expect(await attempt(realClient, 'second-secret-0123456789abcdefghijklmno', 'rotating-app')).toBe(401);
    });

    it('the remembered secret lapses after a minute: it is counted again', async () => {
      expect(await attempt(strangerHost, right)).toBe(200);
      for (let i = 0; i < limit; i += 1) await attempt(strangerHost, guess(i));
      server.clock.advance(61);
      // Window of the limiter is 900 s by default: still limited.
      expect(await attempt(strangerHost, right)).toBe(429);
    });
  });
