import { randomBytes } from 'node:crypto';
import { openMemoryStore, RateLimiter, type Store } from '@gatehouse/store';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { maxClientIdLength, parseParams } from '../../../src/primitives/params.js';
import { InvalidClientError, InvalidRequestError, SlowDownError } from '../../../src/protocol/errors.js';
import { authenticateClient, type ClientAuthContext } from '../../../src/services/clients/authenticate-client.js';
import { RecentCredentials } from '../../../src/services/clients/recent-credentials.js';
import { ClientRegistry } from '../../../src/stores/client-registry.js';
import { clientMetadata, testServerSecrets } from '../../registered-clients.js';

// RFC 6749 §2.3 and OpenID Core §9: one method per request, the client's registered one, and a
// per-client, per-source limit on guesses (SECURITY.md §4). Called directly: no server, a frozen clock.

const issuer = 'https://as.test';
const tokenEndpoint = `${issuer}/token`;
const basicSecret = 'basic-secret-0123456789abcdefghijklmn';
const postSecret = 'post-secret-0123456789abcdefghijklmno';
const form = (fields: Record<string, string>) => parseParams(new URLSearchParams(fields).toString());
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const noParams = form({});

let signingKey: CryptoKey;
let publicJwk: Record<string, unknown>;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
});

describe('authenticateClient', () => {
  let store: Store;
  let now: number;
  let context: ClientAuthContext;
  let events: { event: string; fields: Record<string, unknown> }[];

  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
    const clients = new ClientRegistry(
      [
        clientMetadata({ client_id: 'basic-app', client_secret: basicSecret }),
        clientMetadata({
          client_id: 'post-app',
          client_secret: postSecret,
          token_endpoint_auth_method: 'client_secret_post',
        }),
        clientMetadata({ client_id: 'spa', token_endpoint_auth_method: 'none' }),
        clientMetadata({
          client_id: 'jwt-app',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [publicJwk] },
        }),
      ],
      store,
      () => now,
      testServerSecrets,
    );
    context = {
      clients,
      store,
      issuer,
      tokenEndpoint,
      now: () => now,
      rateLimiter: new RateLimiter(store, () => now),
      limits: { failuresPerClient: 3, windowSeconds: 60 },
      events: { emit: (event, fields) => void events.push({ event, fields }) },
      recentCredentials: new RecentCredentials(() => now),
    };
    events = [];
  });
  afterEach(() => store.close());

  const authenticate = (authorization: string | undefined, params = noParams, source = '192.0.2.1') =>
    authenticateClient(context, authorization, params, source);

  function assertion(claims: JWTPayload = {}, header: Record<string, unknown> = {}) {
    const seconds = Math.floor(now / 1000);
    return new SignJWT({
      iss: 'jwt-app',
      sub: 'jwt-app',
      aud: tokenEndpoint,
      jti: randomBytes(12).toString('base64url'),
      iat: seconds,
      exp: seconds + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
      .sign(signingKey);
  }
  const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
    form({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
      ...extra,
    });

  describe('each method, for the client registered for it', () => {
    it('client_secret_basic', async () => {
      const result = await authenticate(basic('basic-app', basicSecret));
      expect(result).toMatchObject({ method: 'client_secret_basic', client: { client_id: 'basic-app' } });
    });

    it('client_secret_post', async () => {
      const result = await authenticate(undefined, form({ client_id: 'post-app', client_secret: postSecret }));
      expect(result).toMatchObject({ method: 'client_secret_post', client: { client_id: 'post-app' } });
    });

    it('none, for a public client naming itself', async () => {
      expect(await authenticate(undefined, form({ client_id: 'spa' }))).toMatchObject({ method: 'none' });
    });

    it('private_key_jwt, with the token endpoint or the issuer as audience', async () => {
      expect(await authenticate(undefined, withAssertion(await assertion()))).toMatchObject({
        method: 'private_key_jwt',
      });
      expect(await authenticate(undefined, withAssertion(await assertion({ aud: issuer })))).toMatchObject({
        client: { client_id: 'jwt-app' },
      });
    });

    it('Basic with the same client_id in the body', async () => {
      const result = await authenticate(basic('basic-app', basicSecret), form({ client_id: 'basic-app' }));
      expect(result.method).toBe('client_secret_basic');
    });
  });

  describe('refusals of the request itself (invalid_request)', () => {
    it('two methods at once', async () => {
      await expect(
        authenticate(basic('basic-app', basicSecret), form({ client_secret: basicSecret })),
      ).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(
        authenticate(basic('basic-app', basicSecret), withAssertion(await assertion())),
      ).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('a body client_id other than the Basic one', async () => {
      await expect(
        authenticate(basic('basic-app', basicSecret), form({ client_id: 'post-app' })),
      ).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('an assertion without the jwt-bearer assertion type', async () => {
      const params = form({ client_assertion: await assertion(), client_assertion_type: 'urn:other' });
      await expect(authenticate(undefined, params)).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });

  describe('refusals of the client (invalid_client)', () => {
    it.each([
      ['nothing at all', undefined, {}],
      ['an unknown client', undefined, { client_id: 'nobody' }],
      ['a wrong Basic secret', basic('basic-app', `${basicSecret}x`), {}],
      ['a wrong posted secret', undefined, { client_id: 'post-app', client_secret: `${postSecret}x` }],
      ['a posted secret for a Basic client', undefined, { client_id: 'basic-app', client_secret: basicSecret }],
      ['Basic for a client_secret_post client', basic('post-app', postSecret), {}],
      ['no secret for a confidential client', undefined, { client_id: 'basic-app' }],
      ['a secret for a public client', undefined, { client_id: 'spa', client_secret: basicSecret }],
    ])('%s', async (_label, authorization, fields) => {
      await expect(authenticate(authorization, form(fields as Record<string, string>))).rejects.toBeInstanceOf(
        InvalidClientError,
      );
    });

    it.each([
      ['not base64', 'Basic ***'],
      ['no colon', `Basic ${Buffer.from('basic-app').toString('base64')}`],
      ['an empty client id', `Basic ${Buffer.from(`:${basicSecret}`).toString('base64')}`],
      ['a broken percent-escape', `Basic ${Buffer.from('basic-app:%zz').toString('base64')}`],
      ['an encoded control character', `Basic ${Buffer.from('basic-app:%00').toString('base64')}`],
    ])('a malformed Basic header: %s', async (_label, authorization) => {
      await expect(authenticate(authorization)).rejects.toBeInstanceOf(InvalidClientError);
    });

    it('a client id longer than any registrable one, in Basic (the body parser refuses it sooner)', async () => {
      await expect(authenticate(basic('x'.repeat(maxClientIdLength + 1), basicSecret))).rejects.toBeInstanceOf(
        InvalidClientError,
      );
    });

    it("a client id with a control character, from an assertion's unverified sub", async () => {
      const unsigned = (payload: object) =>
        `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.x`;
      await expect(authenticate(undefined, withAssertion(unsigned({ sub: 'jwt-app\u0001' })))).rejects.toBeInstanceOf(
        InvalidClientError,
      );
    });

    it('records a client_authentication_failed event naming the client, the method and why, never the secret', async () => {
      const wrong = `${basicSecret}x`;
      await authenticate(basic('basic-app', wrong)).catch(() => undefined);
      await authenticate(undefined, form({ client_id: 'nobody', client_secret: wrong })).catch(() => undefined);
      await authenticate(basic('post-app', postSecret)).catch(() => undefined);
      expect(events).toEqual([
        {
          event: 'client_authentication_failed',
          fields: {
            client_id: 'basic-app',
            method: 'client_secret_basic',
            reason: 'invalid_credentials',
            source_address: '192.0.2.1',
          },
        },
        {
          event: 'client_authentication_failed',
          fields: expect.objectContaining({ client_id: 'nobody', reason: 'unknown_client' }),
        },
        {
          event: 'client_authentication_failed',
          fields: expect.objectContaining({ client_id: 'post-app', reason: 'wrong_method' }),
        },
      ]);
      expect(JSON.stringify(events)).not.toContain(wrong);
      expect(JSON.stringify(events)).not.toContain(postSecret);
    });

    it('records no event for a client that authenticates', async () => {
      await authenticate(basic('basic-app', basicSecret));
      await authenticate(undefined, form({ client_id: 'spa' }));
      expect(events).toEqual([]);
    });

    it('answers with status 401', async () => {
      await expect(authenticate(undefined, form({ client_id: 'nobody' }))).rejects.toMatchObject({
        code: 'invalid_client',
        status: 401,
      });
    });
  });

  describe('private_key_jwt assertions', () => {
    it.each([
      ['an audience array, even of the token endpoint alone', () => assertion({ aud: [tokenEndpoint] })],
      ['another audience', () => assertion({ aud: 'https://elsewhere.test/token' })],
      ['an iss other than the client', () => assertion({ iss: 'someone' })],
      ['no jti', () => assertion({ jti: undefined })],
      ['an expiry more than 10 minutes away', () => assertion({ exp: Math.floor(now / 1000) + 601 })],
      ['an expired one', () => assertion({ iat: Math.floor(now / 1000) - 120, exp: Math.floor(now / 1000) - 60 })],
      ['a key the client did not register', () => assertion({}, { kid: 'k2' })],
    ])('refuses %s', async (_label, make) => {
      await expect(authenticate(undefined, withAssertion(await make()))).rejects.toBeInstanceOf(InvalidClientError);
    });

    it('accepts an expiry exactly 10 minutes away (so the refusal above is about the boundary)', async () => {
      const jwt = await assertion({ exp: Math.floor(now / 1000) + 600 });
      expect((await authenticate(undefined, withAssertion(jwt))).method).toBe('private_key_jwt');
    });

    it('refuses a replayed jti', async () => {
      const jwt = await assertion();
      await authenticate(undefined, withAssertion(jwt));
      await expect(authenticate(undefined, withAssertion(jwt))).rejects.toBeInstanceOf(InvalidClientError);
    });
  });

  describe('the limit on guesses', () => {
    const guess = (source = '192.0.2.1') =>
      authenticate(basic('basic-app', 'a wrong guess 0123456789abcdef'), noParams, source);

    it('refuses the right secret from a source past its failures, with 429 and a retry time', async () => {
      for (let i = 0; i < 3; i += 1) await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      const refused = authenticate(basic('basic-app', basicSecret));
      await expect(refused).rejects.toBeInstanceOf(SlowDownError);
      await expect(refused).rejects.toMatchObject({ status: 429 });
      expect(((await refused.catch((error: unknown) => error)) as SlowDownError).retryAfterSeconds).toBeGreaterThan(0);
      expect(events.filter((each) => each.event === 'rate_limit_refused')).toEqual([
        {
          event: 'rate_limit_refused',
          fields: { limit: 'client-auth', source_address: '192.0.2.1', client_id: 'basic-app' },
        },
      ]);
    });

    it('lets the same secret in from another source meanwhile', async () => {
      for (let i = 0; i < 4; i += 1) await guess().catch(() => undefined);
      expect((await authenticate(basic('basic-app', basicSecret), noParams, '198.51.100.7')).method).toBe(
        'client_secret_basic',
      );
    });

    it('lifts the limit when the window ends', async () => {
      for (let i = 0; i < 4; i += 1) await guess().catch(() => undefined);
      now += 61_000;
      expect((await authenticate(basic('basic-app', basicSecret))).method).toBe('client_secret_basic');
    });

    it('allows exactly the configured number of failures before refusing', async () => {
      for (let i = 0; i < 2; i += 1) await guess().catch(() => undefined);
      expect((await authenticate(basic('basic-app', basicSecret))).method).toBe('client_secret_basic');
    });

    it('never refuses a client that only succeeds, however often', async () => {
      for (let i = 0; i < 20; i += 1) await authenticate(basic('basic-app', basicSecret));
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
    });

    it('takes no slot for a secret this source verified within the last minute', async () => {
      for (let i = 0; i < 10; i += 1) await authenticate(basic('basic-app', basicSecret));
      // Only the first success was counted (limit 3): two failures left, then 429.
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(SlowDownError);
    });

    it('counts the remembered secret again after a minute', async () => {
      await authenticate(basic('basic-app', basicSecret));
      now += 60_000;
      await authenticate(basic('basic-app', basicSecret)); // counted: the window (60 s) started again
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(SlowDownError);
    });

    it('refuses the remembered secret past the limit once its source has failed', async () => {
      await authenticate(basic('basic-app', basicSecret));
      for (let i = 0; i < 3; i += 1) await guess().catch(() => undefined);
      await expect(authenticate(basic('basic-app', basicSecret))).rejects.toBeInstanceOf(SlowDownError);
    });

    it('checks 50 concurrent identical secrets from one source once', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => authenticate(basic('basic-app', basicSecret)).then((ok) => ok.method)),
      );
      expect(new Set(results)).toEqual(new Set(['client_secret_basic']));
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(InvalidClientError);
      await expect(guess()).rejects.toBeInstanceOf(SlowDownError);
    });

    it('refuses a rotated secret at once, though it verified a moment ago', async () => {
      const stored = {
        ...clientMetadata({ client_id: 'stored-app', client_secret: 'first-secret-0123456789abcdefghijk' }),
      };
      await context.clients.register(stored);
      expect((await authenticate(basic('stored-app', stored.client_secret as string))).method).toBe(
        'client_secret_basic',
      );
      await context.clients.register({ ...stored, client_secret: 'second-secret-0123456789abcdefghij' });
      await expect(authenticate(basic('stored-app', stored.client_secret as string))).rejects.toBeInstanceOf(
        InvalidClientError,
      );
      expect((await authenticate(basic('stored-app', 'second-secret-0123456789abcdefghij'))).method).toBe(
        'client_secret_basic',
      );
    });

    it('counts nothing when there is nothing to guess: a method the client did not register', async () => {
      for (let i = 0; i < 10; i += 1) {
        await authenticate(undefined, form({ client_id: 'basic-app', client_secret: 'x' })).catch(() => undefined);
      }
      expect((await authenticate(basic('basic-app', basicSecret))).method).toBe('client_secret_basic');
    });
  });
});
