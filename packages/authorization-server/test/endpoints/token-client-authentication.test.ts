import { randomBytes } from 'node:crypto';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  buildAuthorizationServer,
  clientsWith,
  postForm,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { base64url, type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3 (client authentication) and §4 (repeated invalid_client is rate-limited).

const oddSecret = 'a:b+c%d/e f=g&h;i?j#k-0123456789ABCDEFGHIJ';
const oddClient = {
  client_id: 'odd-secret',
  client_secret: oddSecret,
  grant_types: ['client_credentials'],
  scope: 'api',
};
const postClient = {
  client_id: 'post-client',
  client_secret: 'post-client-secret-0123456789abcdefghij',
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['client_credentials'],
  scope: 'api',
};
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('client authentication', () => {
  let server: AuthorizationServerUnderTest;
  let privateKey: CryptoKey;
  let tokenEndpoint: string;
  const jwtClientId = 'jwt-client';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'client-key-1', alg: 'ES256', use: 'sig' };
    server = await buildAuthorizationServer({
      clients: clientsWith(oddClient, postClient, {
        client_id: jwtClientId,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
        grant_types: ['client_credentials'],
        scope: 'api',
      }),
    });
    tokenEndpoint = `${server.issuer}/token`;
  });
  afterAll(() => server.close());

  const clientCredentials = (fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    postForm(server, tokenEndpoint, { grant_type: 'client_credentials', ...fields }, headers);

  async function expectInvalidClient(response: Response) {
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
  }

  describe('client secrets', () => {
    it('refuses a wrong secret sent with Basic: 401 invalid_client with a Basic challenge', async () => {
      const response = await clientCredentials(
        {},
        { authorization: basicAuthorization('web-app', 'not-the-secret-0123456789abcdefghijk') },
      );
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic\b/i);
      await expectInvalidClient(response);
    });

    it('refuses a wrong secret sent in the body with 401 invalid_client', async () => {
      await expectInvalidClient(
        await clientCredentials({ client_id: 'post-client', client_secret: 'not-the-secret-0123456789abcdefghijk' }),
      );
    });

    it('refuses an unknown client with 401 invalid_client', async () => {
      await expectInvalidClient(
        await clientCredentials(
          {},
          { authorization: basicAuthorization('nobody', 'whatever-0123456789abcdefghijklmnop') },
        ),
      );
    });

    it('refuses a malformed Basic header with 401 invalid_client and a Basic challenge', async () => {
      for (const authorization of ['Basic !!!', 'Basic ', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
        const response = await clientCredentials({}, { authorization });
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic\b/i);
        await expectInvalidClient(response);
      }
    });

    it('accepts a secret with ":", "+", "%", "/" and spaces when form-encoded before base64 (RFC 6749 §2.3.1)', async () => {
      const response = await clientCredentials({}, { authorization: basicAuthorization('odd-secret', oddSecret) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { access_token?: string }).access_token).toBeTruthy();
    });

    it('refuses client_secret_post for a client registered for client_secret_basic', async () => {
      await expectInvalidClient(
        await clientCredentials({ client_id: 'web-app', client_secret: 'web-app-secret-0123456789abcdefghij' }),
      );
    });

    it('refuses client_secret_basic for a client registered for client_secret_post', async () => {
      await expectInvalidClient(
        await clientCredentials(
          {},
          { authorization: basicAuthorization('post-client', 'post-client-secret-0123456789abcdefghij') },
        ),
      );
    });

    it('accepts each client with its registered method (so the refusals above are about the method)', async () => {
      expect((await clientCredentials({}, { authorization: webAppAuthorization })).status).toBe(200);
      expect(
        (await clientCredentials({ client_id: 'post-client', client_secret: postClient.client_secret })).status,
      ).toBe(200);
    });

    it('refuses two authentication methods in one request with invalid_request', async () => {
      const response = await clientCredentials(
        { client_id: 'web-app', client_secret: 'web-app-secret-0123456789abcdefghij' },
        { authorization: webAppAuthorization },
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('refuses Basic together with a client assertion with invalid_request', async () => {
      const response = await clientCredentials(
        { client_assertion_type: assertionType, client_assertion: await assertion() },
        { authorization: webAppAuthorization },
      );
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('refuses a public client claiming a confidential client id without a secret', async () => {
      await expectInvalidClient(await clientCredentials({ client_id: 'web-app' }));
    });
  });

  /** A client assertion for `jwt-client`, good unless `change` breaks it. */
  async function assertion(
    change: {
      claims?: JWTPayload;
      header?: Record<string, unknown>;
      expiresIn?: number;
      key?: CryptoKey | Uint8Array;
    } = {},
  ): Promise<string> {
    const now = Math.floor(server.clock.now() / 1000);
    const claims: JWTPayload = {
      iss: jwtClientId,
      sub: jwtClientId,
      aud: tokenEndpoint,
      jti: randomBytes(16).toString('base64url'),
      iat: now,
      exp: now + (change.expiresIn ?? 60),
      ...change.claims,
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'client-key-1', ...change.header } as { alg: string })
      .sign(change.key ?? privateKey);
  }

  const withAssertion = (jwt: string, fields: Record<string, string> = {}) =>
    clientCredentials({ client_assertion_type: assertionType, client_assertion: jwt, ...fields });

  describe('private_key_jwt', () => {
    it('accepts an assertion whose aud is the token endpoint URL', async () => {
      expect((await withAssertion(await assertion(), { client_id: jwtClientId })).status).toBe(200);
    });

    it('accepts an assertion whose aud is the issuer', async () => {
      expect((await withAssertion(await assertion({ claims: { aud: server.issuer } }))).status).toBe(200);
    });

    it('refuses an aud that is an array, even one holding only the token endpoint', async () => {
      await expectInvalidClient(await withAssertion(await assertion({ claims: { aud: [tokenEndpoint] } })));
    });

    it.each([
      ['another server', 'https://attacker.example/token'],
      ['the token endpoint with a trailing slash', 'TOKEN/'],
      ['the issuer with a trailing slash', 'ISSUER/'],
      ['the introspection endpoint', 'ISSUER/introspect'],
    ])('refuses an aud that is %s', async (_label, aud) => {
      const value = aud.replace('TOKEN', tokenEndpoint).replace('ISSUER', server.issuer);
      await expectInvalidClient(await withAssertion(await assertion({ claims: { aud: value } })));
    });

    it('refuses an HMAC-signed assertion', async () => {
      const key = new TextEncoder().encode('a shared secret the attacker chose 0123456789');
      await expectInvalidClient(await withAssertion(await assertion({ header: { alg: 'HS256' }, key })));
    });

    it('refuses an unsigned assertion (alg none)', async () => {
      const signed = await assertion();
      const [, payload] = signed.split('.') as [string, string];
      const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'client-key-1' }));
      await expectInvalidClient(await withAssertion(`${header}.${payload}.`));
    });

    it('refuses an assertion signed by a key the client did not register', async () => {
      const { privateKey: other } = await generateKeyPair('ES256');
      await expectInvalidClient(await withAssertion(await assertion({ key: other })));
    });

    it('refuses a replayed jti', async () => {
      const jwt = await assertion();
      expect((await withAssertion(jwt)).status).toBe(200);
      await expectInvalidClient(await withAssertion(jwt));
    });

    it('refuses an assertion that expires more than 10 minutes from now', async () => {
      await expectInvalidClient(await withAssertion(await assertion({ expiresIn: 11 * 60 })));
    });

    it('refuses an expired assertion', async () => {
      await expectInvalidClient(await withAssertion(await assertion({ expiresIn: -120 })));
    });

    it('refuses an assertion without jti', async () => {
      await expectInvalidClient(await withAssertion(await assertion({ claims: { jti: undefined } })));
    });

    it('refuses an assertion whose iss differs from sub', async () => {
      await expectInvalidClient(await withAssertion(await assertion({ claims: { iss: 'web-app' } })));
      await expectInvalidClient(await withAssertion(await assertion({ claims: { sub: 'web-app' } })));
    });

    it('refuses an assertion for another client than the client_id sent', async () => {
      await expectInvalidClient(await withAssertion(await assertion(), { client_id: 'web-app' }));
    });

    it.each([
      ['two segments', 'a.b'],
      ['four segments', 'a.b.c.d'],
      ['bad base64url', '!!!.@@@.###'],
      ['a header that is not JSON', `${base64url.encode('not json')}.${base64url.encode('{}')}.sig`],
      ['an array payload', `${base64url.encode('{"alg":"ES256"}')}.${base64url.encode('[1]')}.sig`],
      ['a huge header', `${base64url.encode(JSON.stringify({ alg: 'ES256', x: 'a'.repeat(6000) }))}.e30.sig`],
    ])('refuses a malformed assertion (%s) with 401, not a 500', async (_label, jwt) => {
      await expectInvalidClient(await withAssertion(jwt, { client_id: jwtClientId }));
    });
  });
});

describe('client authentication failures, repeated', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await buildAuthorizationServer({ rateLimits: { clientAuthFailuresPerClient: 3, windowSeconds: 60 } });
  });
  afterAll(() => server.close());

  const attempt = (secret: string) =>
    postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: basicAuthorization('web-app', secret) },
    );
  const wrong = 'wrong-secret-0123456789abcdefghijklmnop';

  it('answer 429 with Retry-After for the client id, even to the right secret, until the window ends', async () => {
    for (let i = 0; i < 3; i += 1) expect((await attempt(wrong)).status).toBe(401);
    const blocked = await attempt('web-app-secret-0123456789abcdefghij');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('cache-control')).toBe('no-store');
    expect(await blocked.json()).not.toHaveProperty('access_token');

    server.clock.advance(61);
    expect((await attempt('web-app-secret-0123456789abcdefghij')).status).toBe(200);
  });
});

describe('client authentication limit, for a client that succeeds', () => {
  let server: AuthorizationServerUnderTest;
  beforeAll(async () => {
    server = await buildAuthorizationServer({ rateLimits: { clientAuthFailuresPerClient: 4 } });
  });
  afterAll(() => server.close());

  const credentials = () =>
    postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: webAppAuthorization },
    );

  it('is never refused for its right secret, however many requests it makes in a window', async () => {
    for (let i = 0; i < 20; i += 1) expect((await credentials()).status).toBe(200);
  });

  it('still has failures left from its own address after many successes (half the limit, less the one in flight)', async () => {
    const wrong = basicAuthorization('web-app', 'not-the-secret-0123456789abcdefghijkl');
    for (let i = 0; i < 1; i += 1) {
      const refused = await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: 'client_credentials' },
        { authorization: wrong },
      );
      expect(refused.status).toBe(401);
    }
    expect((await credentials()).status).toBe(200);
  });
});
