import { openRedisStore, type Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  clientsWith,
  listenAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
} from '@gatehouse/test-kit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../src/stores/client-registry.js';

/**
 * The client-auth limit (SECURITY.md §4) under a busy client: valid credentials must never fill it,
 * however many are in flight, and the shortcut that lets them skip it (a secret this source verified
 * within the last minute) must not answer a stranger's guesses, a rotated secret or another source.
 * Real HTTP on loopback, behind a trusted proxy (X-Forwarded-For is the source), the limiter's
 * counters in real Redis, where concurrent requests interleave as in production.
 */

const realClientHost = '198.51.100.7';
const stranger = '203.0.113.66';
const rightSecret = 'web-app-secret-0123456789abcdefghij';
const wrongSecret = 'wrong-secret-0123456789abcdefghijklmnop';
const cookieSecrets = ['test-cookie-secret-0123456789abcdefghij'];

let server: AuthorizationServerUnderTest | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(overrides: Record<string, unknown> = {}): Promise<AuthorizationServerUnderTest | undefined> {
  if (!(await requireService('Redis', redisUrl))) return undefined;
  const store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('busy-client')}:` });
  server = await listenAuthorizationServer(
    { trustedProxies: ['127.0.0.1'], ...overrides },
    { store: () => store as Store },
  );
  return server;
}

function token(from: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${(server as AuthorizationServerUnderTest).issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const clientCredentials = (from: string, secret: string, clientId = 'web-app') =>
  token(from, { grant_type: 'client_credentials' }, { authorization: basicAuthorization(clientId, secret) });

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  return Promise.all(
    responses.map(async (pending) => {
      const response = await pending;
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

describe('a busy confidential client', () => {
  it('200 concurrent valid client_credentials requests from one address all succeed', async () => {
    if (!(await start())) return;
    const answers = await statuses(Array.from({ length: 200 }, () => clientCredentials(realClientHost, rightSecret)));
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    // And again, once its secret is remembered: still no refusal, and its failures are still counted.
    const again = await statuses(Array.from({ length: 200 }, () => clientCredentials(realClientHost, rightSecret)));
    expect(again.filter((status) => status !== 200)).toEqual([]);
  }, 60_000);

  it('200 concurrent valid private_key_jwt requests from one address all succeed', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    if (
      !(await start({
        clients: clientsWith({
          client_id: 'jwt-client',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [jwk] },
          grant_types: ['client_credentials'],
          scope: 'api',
        }),
      }))
    )
      return;
    const issuer = (server as AuthorizationServerUnderTest).issuer;
    const seconds = Math.floor((server as AuthorizationServerUnderTest).clock.now() / 1000);
    const assertions = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        new SignJWT({ iss: 'jwt-client', sub: 'jwt-client', aud: `${issuer}/token`, jti: `busy-${i}` })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuedAt(seconds)
          .setExpirationTime(seconds + 60)
          .sign(pair.privateKey),
      ),
    );
    const answers = await statuses(
      assertions.map((assertion) =>
        token(realClientHost, {
          grant_type: 'client_credentials',
          client_id: 'jwt-client',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      ),
    );
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    // A replayed assertion still fails, and failures still reach the limit.
    const replays = await statuses(
      Array.from({ length: 5 }, () =>
        token(realClientHost, {
          grant_type: 'client_credentials',
          client_id: 'jwt-client',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertions[0] as string,
        }),
      ),
    );
    expect(replays).toEqual([401, 401, 401, 401, 401]);
  }, 60_000);
});

describe('a stranger guessing a client secret', () => {
  it('is refused after the limit, the right guess included, while the real client (another address) keeps working', async () => {
    if (!(await start({ rateLimits: { clientAuthFailuresPerClient: 5 } }))) return;
    // The real client is busy, and its secret verified, the whole time.
    expect(await statuses([clientCredentials(realClientHost, rightSecret)])).toEqual([200]);
    for (let i = 0; i < 5; i += 1) expect(await statuses([clientCredentials(stranger, wrongSecret)])).toEqual([401]);
    const past = await statuses([clientCredentials(stranger, wrongSecret), clientCredentials(stranger, rightSecret)]);
    expect(past).toEqual([429, 429]);
    // The right secret from the stranger's address, alone and in a burst alongside the real client's.
    const mixed = await statuses([
      ...Array.from({ length: 20 }, () => clientCredentials(stranger, rightSecret)),
      ...Array.from({ length: 20 }, () => clientCredentials(realClientHost, rightSecret)),
    ]);
    expect(mixed.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => 429));
    expect(mixed.slice(20)).toEqual(Array.from({ length: 20 }, () => 200));
  }, 60_000);

  it('from the address the real client verified from is limited again from its first failure on', async () => {
    if (!(await start({ rateLimits: { clientAuthFailuresPerClient: 3 } }))) return;
    // A shared address (a NAT): the real client's secret verified there a moment ago.
    expect(await statuses([clientCredentials(stranger, rightSecret)])).toEqual([200]);
    const guesses = [];
    for (let i = 0; i < 3; i += 1) guesses.push(...(await statuses([clientCredentials(stranger, wrongSecret)])));
    expect(guesses).toEqual([401, 401, 429]); // the success took a slot too (forgiven past half only)
    // Past the limit nothing is checked, a remembered secret included: no oracle for the guesser.
    expect(await statuses([clientCredentials(stranger, rightSecret)])).toEqual([429]);
  }, 60_000);
});

describe('an operator rotating a client secret', () => {
  it('has the old secret refused as soon as the server sees the new registration, though it verified moments before', async () => {
    if (!(await start())) return;
    const running = server as AuthorizationServerUnderTest;
    // As `gatehouse clients add` does: another registry on the same store, the same server secrets.
    const admin = new ClientRegistry([], running.store, running.clock.now, cookieSecrets);
    const metadata = {
      client_id: 'rotating-app',
      client_secret: 'first-secret-0123456789abcdefghijklmnop',
      redirect_uris: ['https://rotating.example/cb'],
      grant_types: ['client_credentials'],
      scope: 'api',
    };
    await admin.register(metadata);
    expect(await statuses([clientCredentials(realClientHost, metadata.client_secret, 'rotating-app')])).toEqual([200]);
    await admin.register({ ...metadata, client_secret: 'second-secret-0123456789abcdefghijklmno' });
    // Other instances see a store change within the registry's 30 s cache; the remembered secret
    // (fresh for 60 s) must not outlive it.
    running.clock.advance(31);
    expect(await statuses([clientCredentials(realClientHost, metadata.client_secret, 'rotating-app')])).toEqual([401]);
    expect(
      await statuses([clientCredentials(realClientHost, 'second-secret-0123456789abcdefghijklmno', 'rotating-app')]),
    ).toEqual([200]);
  }, 60_000);
});
