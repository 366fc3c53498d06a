import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignInError } from '../../src/public-client/errors.js';
import {
  checkImplicitResponse,
  computeAtHash,
  readFragment,
  readImplicitResponse,
  startImplicitTransaction,
  takeTransaction,
} from '../../src/public-client/implicit-response.js';

const now = Date.parse('2030-01-01T00:00:00Z');
const issuer = 'https://idp.test';
const redirectUri = 'https://app.test/callback';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.signature`;
const nodeAtHash = (token: string) => createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url');

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/** Starts a sign-in against a memory storage; returns its state, nonce and the storage. */
function begin(responseType: 'token' | 'id_token token' = 'id_token token') {
  const storage = memoryStorage();
  const url = new URL(
    startImplicitTransaction({
      authorizationEndpoint: `${issuer}/authorize`,
      clientId: 'legacy',
      redirectUri,
      scopes: ['openid', 'api'],
      responseType,
      storage,
    }),
  );
  return { url, storage, state: url.searchParams.get('state') as string, nonce: url.searchParams.get('nonce') };
}

function response(values: Record<string, string>): string {
  return `${redirectUri}#${new URLSearchParams({ iss: issuer, token_type: 'Bearer', expires_in: '300', ...values })}`;
}

const complete = (url: string, storage: ReturnType<typeof memoryStorage>) =>
  readImplicitResponse(url, storage, { issuer, clientId: 'legacy', now });

async function expectCode(promise: Promise<unknown>, code: string) {
  const failure = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(SignInError);
  expect((failure as SignInError).code).toBe(code);
}

describe('legacy implicit sign-in', () => {
  it('asks for the response type with fresh state and nonce, and no PKCE', () => {
    const { url, state, nonce, storage } = begin();
    expect(url.searchParams.get('response_type')).toBe('id_token token');
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(storage.items.size).toBe(1);
    expect(begin('token').nonce).toBeNull();
  });

  it('reads the fragment only, never the query', () => {
    const params = readFragment('https://app.test/cb?access_token=from-query#access_token=from-fragment&state=s');
    expect(params.get('access_token')).toBe('from-fragment');
    expect(readFragment('https://app.test/cb?access_token=from-query').has('access_token')).toBe(false);
  });

  it('computes at_hash as the base64url left half of the SHA-256', async () => {
    expect(await computeAtHash('an.access.token')).toBe(nodeAtHash('an.access.token'));
    expect((await computeAtHash('x')).length).toBe(22); // 16 bytes, unpadded
  });

  it('completes id_token token: claims checked, at_hash matched, transaction consumed', async () => {
    const { state, nonce, storage } = begin();
    const accessToken = 'access.token.value';
    const idToken = jwt({
      iss: issuer,
      aud: 'legacy',
      sub: 'alice',
      iat: now / 1000,
      exp: now / 1000 + 300,
      nonce,
      at_hash: nodeAtHash(accessToken),
    });
    const result = await complete(
      response({ access_token: accessToken, id_token: idToken, state, scope: 'openid api' }),
      storage,
    );
    expect(result).toMatchObject({ accessToken, expiresAt: now + 300_000, scope: 'openid api', state });
    expect(result.idTokenClaims?.sub).toBe('alice');
    expect(storage.items.size).toBe(0);
    await expectCode(
      complete(response({ access_token: accessToken, id_token: idToken, state }), storage),
      'invalid_state',
    );
  });

  it('completes token without an ID token', async () => {
    const { state, storage } = begin('token');
    const result = await complete(response({ access_token: 'a', state }), storage);
    expect(result.idTokenClaims).toBeUndefined();
    expect(result.scope).toBe('openid api');
  });

  it('refuses an unknown or missing state', async () => {
    const { storage } = begin();
    await expectCode(complete(response({ access_token: 'a', state: 'x'.repeat(43) }), storage), 'invalid_state');
    await expectCode(complete(response({ access_token: 'a' }), storage), 'invalid_state');
  });

  it('refuses a response whose state is only in the query', async () => {
    const { state, storage } = begin('token');
    await expectCode(
      complete(`${redirectUri}?state=${state}#access_token=a&token_type=Bearer`, storage),
      'invalid_state',
    );
  });

  it('refuses another nonce or a wrong at_hash', async () => {
    const claims = { iss: issuer, aud: 'legacy', sub: 'alice', iat: now / 1000, exp: now / 1000 + 300 };
    const first = begin();
    await expectCode(
      complete(
        response({
          access_token: 'a',
          state: first.state,
          id_token: jwt({ ...claims, nonce: 'other', at_hash: nodeAtHash('a') }),
        }),
        first.storage,
      ),
      'invalid_id_token',
    );
    const second = begin();
    await expectCode(
      complete(
        response({
          access_token: 'a',
          state: second.state,
          id_token: jwt({ ...claims, nonce: second.nonce, at_hash: nodeAtHash('b') }),
        }),
        second.storage,
      ),
      'invalid_id_token',
    );
    const third = begin();
    await expectCode(
      complete(
        response({ access_token: 'a', state: third.state, id_token: jwt({ ...claims, nonce: third.nonce }) }),
        third.storage,
      ),
      'invalid_id_token',
    );
  });

  it('refuses another issuer and surfaces the provider error by its code', async () => {
    const { state, storage } = begin('token');
    await expectCode(
      complete(response({ access_token: 'a', state, iss: 'https://evil.test' }), storage),
      'invalid_issuer',
    );
    const again = begin('token');
    await expectCode(
      complete(
        `${redirectUri}#${new URLSearchParams({ error: 'access_denied', state: again.state, iss: issuer })}`,
        again.storage,
      ),
      'access_denied',
    );
  });

  it('checks a response against a transaction without storage', async () => {
    const params = new URLSearchParams({ access_token: 'a', token_type: 'bearer' });
    const result = await checkImplicitResponse(
      params,
      { responseType: 'token', nonce: null, scope: 'api', state: 's' },
      { issuer, clientId: 'legacy', now },
    );
    expect(result.scope).toBe('api');
    const storage = memoryStorage();
    expect(() => takeTransaction(storage, null)).toThrow(SignInError);
  });
});
