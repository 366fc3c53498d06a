import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  buildAuthorizationServer,
  clientsWith,
  headerOf,
  introspect,
  obtainCode,
  obtainTokens,
  payloadOf,
  pkcePair,
  postForm,
  redeemCode,
  refreshRequest,
  tokenRequest,
  userinfo,
  webAppAuthorization,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3: the token endpoint — codes, PKCE, grant checks and the shape of every answer.

const apiOnly = {
  client_id: 'api-only',
  client_secret: 'api-only-secret-0123456789abcdefghijkl',
  grant_types: ['client_credentials'],
  scope: 'api',
};

describe('token endpoint', () => {
  let server: AuthorizationServerUnderTest;
  const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(server, `${server.issuer}/token`, fields, headers);

  beforeAll(async () => {
    server = await buildAuthorizationServer({ clients: clientsWith(apiOnly) });
  });
  afterAll(() => server.close());

  async function expectOAuthError(response: Response, status: number, error: string) {
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
  }

  describe('authorization codes', () => {
    it('refuses a reused code and revokes every token issued from it', async () => {
      const issued = await obtainCode(server);
      const first = await redeemCode(server, issued);
      expect(first.status).toBe(200);
      const tokens = (await first.json()) as { access_token: string; refresh_token: string };
      expect(await (await introspect(server, tokens.access_token)).json()).toMatchObject({ active: true });

      await expectOAuthError(await redeemCode(server, issued), 400, 'invalid_grant');

      expect(await (await introspect(server, tokens.access_token)).json()).toEqual({ active: false });
      expect((await userinfo(server, tokens.access_token)).status).toBe(401);
      await expectOAuthError(await refreshRequest(server, 'web-app', tokens.refresh_token), 400, 'invalid_grant');
    });

    it('lets exactly one of 20 concurrent redemptions of a code succeed', async () => {
      const issued = await obtainCode(server);
      const responses = await Promise.all(Array.from({ length: 20 }, () => redeemCode(server, issued)));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(19);
      for (const response of responses.filter((r) => r.status === 400)) {
        expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
      }
    });

    it('refuses a code older than 60 seconds', async () => {
      const issued = await obtainCode(server);
      server.clock.advance(61);
      await expectOAuthError(await redeemCode(server, issued), 400, 'invalid_grant');
    });

    it('accepts a code 50 seconds old (so the expiry test above is about time)', async () => {
      const issued = await obtainCode(server);
      server.clock.advance(50);
      expect((await redeemCode(server, issued)).status).toBe(200);
    });

    it("refuses a confidential client's code presented by the public client", async () => {
      const issued = await obtainCode(server);
      const response = await tokenRequest(server, 'spa', {
        grant_type: 'authorization_code',
        code: issued.code,
        redirect_uri: issued.redirectUri,
      });
      await expectOAuthError(response, 400, 'invalid_grant');
    });

    it("refuses the public client's code presented by a confidential client", async () => {
      const issued = await obtainCode(server, { client: 'spa' });
      const response = await tokenRequest(server, 'web-app', {
        grant_type: 'authorization_code',
        code: issued.code,
        redirect_uri: issued.redirectUri,
        code_verifier: issued.verifier as string,
      });
      await expectOAuthError(response, 400, 'invalid_grant');
    });

    it.each([
      ['another redirect_uri', { redirect_uri: `${webAppRedirect}/` }],
      ['no redirect_uri although the request had one', { redirect_uri: '' }],
    ])('refuses a redemption with %s', async (_label, change) => {
      const issued = await obtainCode(server);
      await expectOAuthError(await redeemCode(server, issued, change), 400, 'invalid_grant');
    });
  });

  describe('PKCE', () => {
    it('refuses a wrong code_verifier', async () => {
      const issued = await obtainCode(server, { client: 'spa' });
      const response = await redeemCode(server, issued, { code_verifier: pkcePair().verifier });
      await expectOAuthError(response, 400, 'invalid_grant');
    });

    it('refuses a missing code_verifier', async () => {
      const issued = await obtainCode(server, { client: 'spa' });
      await expectOAuthError(await redeemCode(server, issued, { code_verifier: '' }), 400, 'invalid_grant');
    });

    it('refuses a missing code_verifier from a confidential client that sent a challenge', async () => {
      const issued = await obtainCode(server, { pkce: true });
      await expectOAuthError(await redeemCode(server, issued, { code_verifier: '' }), 400, 'invalid_grant');
    });

    it('refuses a code_verifier for a code issued without a challenge (downgrade) and issues nothing', async () => {
      const issued = await obtainCode(server, { pkce: false });
      const response = await redeemCode(server, issued, { code_verifier: pkcePair().verifier });
      expect(response.status).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.error).toBe('invalid_grant');
      expect(body).not.toHaveProperty('access_token');
    });

    it('accepts the right verifier (so the refusals above are about the verifier)', async () => {
      const issued = await obtainCode(server, { client: 'spa' });
      expect((await redeemCode(server, issued)).status).toBe(200);
    });
  });

  describe('grant checks', () => {
    it('refuses a request without grant_type with invalid_request', async () => {
      await expectOAuthError(
        await token({ code: 'x' }, { authorization: webAppAuthorization }),
        400,
        'invalid_request',
      );
    });

    it.each(['password', 'urn:ietf:params:oauth:grant-type:device_code', 'implicit', 'something'])(
      'refuses grant_type=%s with unsupported_grant_type',
      async (grantType) => {
        const response = await token(
          { grant_type: grantType, username: 'alice@example.com', password: 'correct horse battery staple' },
          { authorization: webAppAuthorization },
        );
        await expectOAuthError(response, 400, 'unsupported_grant_type');
      },
    );

    it('refuses a grant the client is not registered for with unauthorized_client', async () => {
      await expectOAuthError(
        await tokenRequest(server, 'spa', { grant_type: 'client_credentials' }),
        400,
        'unauthorized_client',
      );
      const apiOnlyAuthorization = basicAuthorization(apiOnly.client_id, apiOnly.client_secret);
      await expectOAuthError(
        await token({ grant_type: 'refresh_token', refresh_token: 'x' }, { authorization: apiOnlyAuthorization }),
        400,
        'unauthorized_client',
      );
    });

    it('refuses user scopes in a client_credentials request with invalid_scope', async () => {
      const response = await token(
        { grant_type: 'client_credentials', scope: 'api openid' },
        { authorization: webAppAuthorization },
      );
      await expectOAuthError(response, 400, 'invalid_scope');
    });

    it('refuses a resource it does not serve with invalid_target', async () => {
      const response = await token(
        { grant_type: 'client_credentials', resource: 'https://attacker.example/api' },
        { authorization: webAppAuthorization },
      );
      await expectOAuthError(response, 400, 'invalid_target');
    });

    it('gives client_credentials a token about the client: no user, no refresh or ID token', async () => {
      const response = await token({ grant_type: 'client_credentials' }, { authorization: webAppAuthorization });
      const body = (await response.json()) as Record<string, string>;
      expect(response.status).toBe(200);
      expect(body).not.toHaveProperty('refresh_token');
      expect(body).not.toHaveProperty('id_token');
      const claims = payloadOf(body.access_token as string);
      expect(claims.sub).toBe('web-app');
      expect(claims).not.toHaveProperty('email');
      expect(claims).not.toHaveProperty('auth_time');
      expect(String(claims.scope).split(' ')).not.toContain('openid');
    });
  });

  describe('issued values', () => {
    it('draw codes from at least 128 bits and refresh tokens from at least 256, base64url', async () => {
      const tokens = await obtainTokens(server);
      expect(tokens.issued.code).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      // A family id (the grant's, 144 bits), its generation, and a MAC (256 bits) under the family's random key.
      expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{22,}\.0\.[A-Za-z0-9_-]{43}$/);
      const other = await obtainTokens(server);
      expect(other.issued.code).not.toBe(tokens.issued.code);
      expect(other.refresh_token).not.toBe(tokens.refresh_token);
    });

    it('put nonce in the ID token exactly when the request sent one, and auth_time when max_age was sent', async () => {
      const without = await obtainTokens(server, { scope: 'openid' });
      expect(payloadOf(without.id_token as string)).not.toHaveProperty('nonce');
      const withNonce = await obtainTokens(server, { scope: 'openid', params: { nonce: 'n-Qm9v', max_age: '3600' } });
      const claims = payloadOf(withNonce.id_token as string);
      expect(claims.nonce).toBe('n-Qm9v');
      expect(claims.auth_time).toEqual(expect.any(Number));
    });
  });

  describe('access tokens', () => {
    it('are at+jwt, signed asymmetrically with a published key, each with its own jti', async () => {
      const first = await obtainTokens(server);
      const second = await obtainTokens(server);
      const jwks = (await (await server.fetch(`${server.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      for (const { access_token: accessToken } of [first, second]) {
        const header = headerOf(accessToken);
        expect(header.typ).toBe('at+jwt');
        expect(header.alg).toMatch(/^(ES|RS|PS|Ed)/);
        expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
        const claims = payloadOf(accessToken);
        for (const claim of ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope']) {
          expect(claims).toHaveProperty(claim);
        }
      }
      expect(payloadOf(first.access_token).jti).not.toBe(payloadOf(second.access_token).jti);
    });

    it('publish only public key members in the JWKS, with distinct kids', async () => {
      const { keys } = (await (await server.fetch(`${server.issuer}/jwks`)).json()) as {
        keys: Record<string, unknown>[];
      };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) expect(key).not.toHaveProperty(secret);
      }
      expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
    });
  });

  describe('every answer', () => {
    async function answers(): Promise<[string, Response][]> {
      const issued = await obtainCode(server);
      return [
        ['a success', await redeemCode(server, issued)],
        ['invalid_grant', await redeemCode(server, issued)],
        [
          'invalid_client',
          await token(
            { grant_type: 'client_credentials' },
            { authorization: basicAuthorization('web-app', 'wrong-secret-0123456789abcdefghijklmno') },
          ),
        ],
        ['unsupported_grant_type', await token({ grant_type: 'password' }, { authorization: webAppAuthorization })],
        ['invalid_request', await token({}, { authorization: webAppAuthorization })],
        [
          'a JSON body',
          await server.fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: webAppAuthorization },
            body: JSON.stringify({ grant_type: 'client_credentials' }),
          }),
        ],
        ['a GET', await server.fetch(`${server.issuer}/token`)],
      ];
    }

    it('is JSON with Cache-Control: no-store and sets no cookie', async () => {
      const all = await answers();
      expect(all[0]?.[1].status).toBe(200);
      for (const [label, response] of all) {
        expect.soft(response.headers.get('content-type'), label).toMatch(/^application\/json/);
        expect.soft(response.headers.get('cache-control'), label).toBe('no-store');
        expect.soft(response.headers.getSetCookie(), label).toEqual([]);
        expect.soft(await response.json(), label).toBeTypeOf('object');
      }
    });

    it('refuses a JSON body with 400 invalid_request', async () => {
      const response = await server.fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: webAppAuthorization },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      await expectOAuthError(response, 400, 'invalid_request');
    });

    it('refuses a form sent as text/plain with 400 invalid_request', async () => {
      const response = await server.fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: webAppAuthorization },
        body: 'grant_type=client_credentials',
      });
      await expectOAuthError(response, 400, 'invalid_request');
    });

    it.each(['GET', 'PUT', 'DELETE'])('answers %s /token with 405 and an Allow header naming POST', async (method) => {
      const response = await server.fetch(`${server.issuer}/token`, { method });
      expect(response.status).toBe(405);
      const allowed = (response.headers.get('allow') ?? '').split(',').map((value) => value.trim());
      expect(allowed).toContain('POST');
      expect(allowed).not.toContain(method);
    });
  });

  describe('CORS', () => {
    const spaOrigin = 'http://127.0.0.1:9999';

    it('allows no origin a public client did not register, and never with credentials', async () => {
      const preflight = await server.fetch(`${server.issuer}/token`, {
        method: 'OPTIONS',
        headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const response = await token(
        { grant_type: 'client_credentials' },
        { authorization: webAppAuthorization, origin: 'https://attacker.example' },
      );
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it("does not lend the public client's origin to a confidential client's request", async () => {
      const response = await token(
        { grant_type: 'client_credentials' },
        { authorization: webAppAuthorization, origin: spaOrigin },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('allows the registered origin for the public client (so the refusals above could fail)', async () => {
      const issued = await obtainCode(server, { client: 'spa' });
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        {
          client_id: 'spa',
          grant_type: 'authorization_code',
          code: issued.code,
          redirect_uri: issued.redirectUri,
          code_verifier: issued.verifier as string,
        },
        { origin: spaOrigin },
      );
      expect(response.headers.get('access-control-allow-origin')).toBe(spaOrigin);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('serves discovery and JWKS to any origin without credentials', async () => {
      for (const path of ['/.well-known/openid-configuration', '/jwks']) {
        const response = await server.fetch(`${server.issuer}${path}`, {
          headers: { origin: 'https://anyone.example' },
        });
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      }
    });
  });
});
