import { openRedisStore, type Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  clientsWith,
  listenAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
} from '@gatehouse/test-kit';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * A malicious operator (or an eavesdropper on a client's logs) holds a `private_key_jwt` client
 * assertion that was already used — or one it is about to use — and replays it, many times at
 * once, at the token and revocation endpoints. Since the change that checks the assertion first and
 * counts only failures, the jti store is the only thing between a replay and a token: exactly one
 * use may succeed, and failing assertions must still fill the limit.
 */

const limit = 5;
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const host = '198.51.100.20';

let runs = 0;
for (const onRedis of [false, true])
  describe(`a malicious client replaying private_key_jwt assertions${onRedis ? ' (limiter and jti store in Redis)' : ''}`, () => {
    let server: AuthorizationServerUnderTest;
    let privateKey: PrivateKey;
    let otherKey: PrivateKey;
    let jwk: JWK;

    beforeEach(async (test) => {
      let store: Store | undefined;
      if (onRedis) {
        if (!(await requireService('Redis', redisUrl))) return test.skip();
        runs += 1;
        store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('assertion-replay')}-${runs}:` });
      }
      const storeOption = store ? { store: () => store as Store } : {};
      const pair = await generateKeyPair('ES256', { extractable: true });
      privateKey = pair.privateKey;
      otherKey = (await generateKeyPair('ES256')).privateKey;
      jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      server = await listenAuthorizationServer(
        {
          trustedProxies: ['127.0.0.1'],
          rateLimits: { clientAuthFailuresPerClient: limit },
          clients: clientsWith({
            client_id: 'jwt-client',
            token_endpoint_auth_method: 'private_key_jwt',
            jwks: { keys: [jwk] },
            grant_types: ['client_credentials'],
            scope: 'api',
          }),
        },
        storeOption,
      );
    });
    afterEach(async () => {
      await server?.close();
    });

    function assertion(jti: string, options: { key?: PrivateKey; exp?: number; aud?: string } = {}): Promise<string> {
      const seconds = Math.floor(server.clock.now() / 1000);
      return new SignJWT({ iss: 'jwt-client', sub: 'jwt-client', aud: options.aud ?? `${server.issuer}/token`, jti })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuedAt(seconds)
        .setExpirationTime(options.exp ?? seconds + 60)
        .sign(options.key ?? privateKey);
    }

    async function send(path: '/token' | '/revoke', clientAssertion: string, from = host): Promise<number> {
      const fields: Record<string, string> =
        path === '/token' ? { grant_type: 'client_credentials', scope: 'api' } : { token: 'nothing-to-revoke' };
      const response = await fetch(`${server.issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
        body: new URLSearchParams({
          ...fields,
          client_id: 'jwt-client',
          client_assertion_type: assertionType,
          client_assertion: clientAssertion,
        }).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    }

    it('one assertion sent 40 times at once is accepted exactly once', async () => {
      const jwt = await assertion('race-1');
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => send('/token', jwt, `198.51.100.${i + 1}`)),
      );
      expect(answers.filter((status) => status === 200)).toHaveLength(1);
      expect(answers.every((status) => status === 200 || status === 401 || status === 429)).toBe(true);
    });

    it('one assertion raced across the token and revocation endpoints is accepted exactly once', async () => {
      const jwt = await assertion('race-2', { aud: server.issuer });
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => send(i % 2 ? '/revoke' : '/token', jwt, `198.51.100.${i + 1}`)),
      );
      expect(answers.filter((status) => status === 200)).toHaveLength(1);
    });

    it('a used assertion is refused later, at either endpoint, from any source', async () => {
      const jwt = await assertion('used-1');
      expect(await send('/token', jwt)).toBe(200);
      server.clock.advance(30);
      expect(await send('/token', jwt)).toBe(401);
      expect(await send('/revoke', jwt, '203.0.113.9')).toBe(401);
    });

    it('a fresh assertion reusing a spent jti is refused (the jti, not the bytes, is single-use)', async () => {
      expect(await send('/token', await assertion('same-jti'))).toBe(200);
      server.clock.advance(5);
      expect(
        await send('/token', await assertion('same-jti', { exp: Math.floor(server.clock.now() / 1000) + 300 })),
      ).toBe(401);
    });

    it('replays and forgeries are failures: they fill the limit (429) for the source', async () => {
      const jwt = await assertion('spent');
      expect(await send('/token', jwt)).toBe(200);
      const answers: number[] = [];
      for (let i = 0; i < limit + 2; i += 1)
        answers.push(await send('/token', i % 2 ? jwt : await assertion(`forged-${i}`, { key: otherKey })));
      expect(answers.slice(0, limit)).toEqual(Array(limit).fill(401));
      expect(answers.slice(limit)).toEqual([429, 429]);
      // Concurrent replays are counted per request too.
      const burst = await Promise.all(Array.from({ length: 20 }, () => send('/token', jwt, '203.0.113.77')));
      expect(burst.filter((status) => status !== 429).length).toBeLessThanOrEqual(limit);
      expect(burst.includes(200)).toBe(false);
    });

    it('assertions signed by another key, too long-lived, of another audience or unsigned are refused', async () => {
      const seconds = Math.floor(server.clock.now() / 1000);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
        JSON.stringify({
          iss: 'jwt-client',
          sub: 'jwt-client',
          aud: `${server.issuer}/token`,
          jti: 'none-1',
          exp: seconds + 60,
        }),
      ).toString('base64url')}.`;
      const hmac = await new SignJWT({
        iss: 'jwt-client',
        sub: 'jwt-client',
        aud: `${server.issuer}/token`,
        jti: 'hs-1',
      })
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setExpirationTime(seconds + 60)
        .sign(new TextEncoder().encode(JSON.stringify(jwk)));
      for (const jwt of [
        await assertion('other-key', { key: otherKey }),
        await assertion('long-lived', { exp: seconds + 3600 }),
        await assertion('other-aud', { aud: 'https://elsewhere.example/token' }),
        unsigned,
        hmac,
      ])
        expect(await send('/token', jwt, `192.0.2.${Math.floor(Math.random() * 200) + 1}`)).toBe(401);
    });
  });
