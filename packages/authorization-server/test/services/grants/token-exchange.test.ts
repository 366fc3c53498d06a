import { loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { ConfigError } from '@gatehouse/config';
import {
  type AuthorizationServerUnderTest,
  apiResource,
  introspect,
  listenAuthorizationServer,
  obtainTokens,
  payloadOf,
  postForm,
  publicClient,
  refreshRequest,
  tokenRequest,
  userinfo,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenType,
  authorizationOf,
  confidentialApp,
  errorOf,
  exchange,
  exchangingWebApp,
  signIn,
  tokenExchangeGrant,
} from './exchange-flows.js';

// SECURITY.md §3: token exchange (RFC 8693) — confidential clients only, their own subject tokens
// only, never wider scope or audience; errors invalid_request, invalid_scope, invalid_target,
// unauthorized_client. The exchanged token lives and dies with the subject token's grant.

const day = 86400;
const otherApi = 'http://127.0.0.1:5001';
// web-app may exchange for the second API too: a client gets only the APIs it lists (beside the default one).
const webApp = exchangingWebApp({ resources: [otherApi] });
const longLivedApp = confidentialApp('long-lived-app', { long_lived_tokens: true });
/** A confidential client that did not register the grant. */
const plainApp = confidentialApp('plain-app', { grant_types: ['authorization_code', 'refresh_token'] });

interface ExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

describe('token exchange (RFC 8693)', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await listenAuthorizationServer({
      clients: [webApp, publicClient, longLivedApp, plainApp],
      resources: [apiResource, otherApi],
      // Long enough that a long-lived token is not cut short by its grant (see the last describe).
      refreshTokenTtlSeconds: 90 * day,
    });
  });
  afterAll(() => server.close());

  async function exchanged(response: Response): Promise<ExchangeResponse> {
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as ExchangeResponse;
  }

  describe('the happy path', () => {
    it('narrows the scope: a new access token, same user, same client, no refresh or ID token, no-store', async () => {
      const tokens = await signIn(server, webApp);
      const response = await exchange(server, webApp, tokens.access_token, { scope: 'openid api' });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('set-cookie')).toBeNull();
      const body = await exchanged(response);
      expect(body).toMatchObject({
        issued_token_type: accessTokenType,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid api',
      });
      expect(body.refresh_token).toBeUndefined();
      expect(body.id_token).toBeUndefined();
      expect(body.access_token).not.toBe(tokens.access_token);

      const subject = payloadOf(tokens.access_token);
      const issued = payloadOf(body.access_token);
      expect(issued).toMatchObject({
        iss: server.issuer,
        sub: subject.sub,
        aud: subject.aud,
        client_id: 'web-app',
        scope: 'openid api',
        auth_time: subject.auth_time,
      });
      expect(issued.jti).not.toBe(subject.jti);
      expect((issued.exp as number) - (issued.iat as number)).toBe(3600);
      expect(await (await introspect(server, body.access_token)).json()).toMatchObject({
        active: true,
        scope: 'openid api',
      });
      expect((await userinfo(server, body.access_token)).status).toBe(200);
    });

    it("keeps the subject token's scopes and audience when none are asked for", async () => {
      const tokens = await signIn(server, webApp);
      const body = await exchanged(await exchange(server, webApp, tokens.access_token));
      expect(body.scope).toBe(tokens.scope);
      expect(payloadOf(body.access_token).aud).toBe(apiResource);
    });

    it('moves the audience to another configured API, by audience or by resource', async () => {
      const tokens = await signIn(server, webApp);
      for (const field of ['audience', 'resource']) {
        const body = await exchanged(await exchange(server, webApp, tokens.access_token, { [field]: otherApi }));
        expect(payloadOf(body.access_token).aud).toBe(otherApi);
      }
    });

    it('accepts requested_token_type access_token, and an exchanged token as a subject token', async () => {
      const tokens = await signIn(server, webApp);
      const first = await exchanged(
        await exchange(server, webApp, tokens.access_token, {
          scope: 'openid api',
          requested_token_type: accessTokenType,
        }),
      );
      const second = await exchanged(await exchange(server, webApp, first.access_token, { scope: 'api' }));
      expect(second.scope).toBe('api');
    });

    it('is advertised in discovery', async () => {
      const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as {
        grant_types_supported: string[];
      };
      expect(discovery.grant_types_supported).toContain(tokenExchangeGrant);
    });
  });

  describe('the subject token', () => {
    it("refuses another client's token with invalid_request", async () => {
      const spa = await obtainTokens(server, { client: 'spa' });
      const response = await exchange(server, webApp, spa.access_token);
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('invalid_request');
    });

    it('refuses a client credentials token with invalid_request', async () => {
      const response = await tokenRequest(server, 'web-app', { grant_type: 'client_credentials', scope: 'api' });
      const clientToken = ((await response.json()) as { access_token: string }).access_token;
      expect(payloadOf(clientToken).sub).toBe('web-app');
      expect(await errorOf(await exchange(server, webApp, clientToken))).toBe('invalid_request');
    });

    it('refuses a revoked token with invalid_request', async () => {
      const tokens = await signIn(server, webApp);
      const revoked = await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: tokens.access_token },
        { authorization: webAppAuthorization },
      );
      expect(revoked.status).toBe(200);
      expect(await errorOf(await exchange(server, webApp, tokens.access_token))).toBe('invalid_request');
    });

    it('refuses a token whose grant was revoked with invalid_request', async () => {
      const tokens = await signIn(server, webApp);
      await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: tokens.refresh_token as string },
        { authorization: webAppAuthorization },
      );
      expect(await errorOf(await exchange(server, webApp, tokens.access_token))).toBe('invalid_request');
    });

    it('refuses an expired token with invalid_request', async () => {
      const tokens = await signIn(server, webApp);
      server.clock.advance(3601);
      expect(await errorOf(await exchange(server, webApp, tokens.access_token))).toBe('invalid_request');
    });

    it('refuses a token that is not ours, an ID token, and garbage with invalid_request', async () => {
      const tokens = await signIn(server, webApp);
      const [header, payload] = tokens.access_token.split('.') as [string, string];
      const tampered = `${header}.${payload}.${'A'.repeat(86)}`;
      for (const subject of [tampered, tokens.id_token as string, 'not-a-token']) {
        expect(await errorOf(await exchange(server, webApp, subject))).toBe('invalid_request');
      }
    });

    it('requires subject_token and subject_token_type, and takes only access tokens', async () => {
      const tokens = await signIn(server, webApp);
      const cases: Record<string, string>[] = [
        { subject_token: '' },
        { subject_token_type: '' },
        { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
        { subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
        { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
        { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' },
        { actor_token: tokens.access_token, actor_token_type: accessTokenType },
      ];
      for (const fields of cases) {
        const response = await exchange(server, webApp, tokens.access_token, fields);
        expect(response.status, JSON.stringify(fields)).toBe(400);
        expect(await errorOf(response), JSON.stringify(fields)).toBe('invalid_request');
      }
    });
  });

  describe('never wider', () => {
    it('refuses a scope the subject token does not have with invalid_scope', async () => {
      const tokens = await signIn(server, webApp, { scope: 'openid api' });
      for (const scope of ['openid api email', 'profile', 'offline_access']) {
        const response = await exchange(server, webApp, tokens.access_token, { scope });
        expect(response.status).toBe(400);
        expect(await errorOf(response)).toBe('invalid_scope');
      }
    });

    it('refuses a scope widened back after a narrowing exchange', async () => {
      const tokens = await signIn(server, webApp);
      const narrow = await exchanged(await exchange(server, webApp, tokens.access_token, { scope: 'api' }));
      const response = await exchange(server, webApp, narrow.access_token, { scope: 'openid api' });
      expect(await errorOf(response)).toBe('invalid_scope');
    });

    it('refuses an audience or resource that is not a configured API with invalid_target', async () => {
      const tokens = await signIn(server, webApp);
      const cases: Record<string, string>[] = [
        { audience: 'https://attacker.example/api' },
        { resource: 'https://attacker.example/api' },
        { audience: server.issuer },
        { audience: `${apiResource}/` },
        { audience: apiResource, resource: otherApi },
      ];
      for (const fields of cases) {
        const response = await exchange(server, webApp, tokens.access_token, fields);
        expect(response.status, JSON.stringify(fields)).toBe(400);
        expect(await errorOf(response), JSON.stringify(fields)).toBe('invalid_target');
      }
    });
  });

  describe('who may exchange', () => {
    it('refuses a public client with unauthorized_client', async () => {
      const spa = await obtainTokens(server, { client: 'spa' });
      const response = await tokenRequest(server, 'spa', {
        grant_type: tokenExchangeGrant,
        subject_token: spa.access_token,
        subject_token_type: accessTokenType,
      });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('unauthorized_client');
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses a confidential client that did not register the grant with unauthorized_client', async () => {
      const tokens = await signIn(server, plainApp);
      expect(await errorOf(await exchange(server, plainApp, tokens.access_token))).toBe('unauthorized_client');
    });

    it('refuses a client that fails authentication with invalid_client', async () => {
      const tokens = await signIn(server, webApp);
      const response = await exchange(
        server,
        { ...webApp, client_secret: 'wrong-secret-0123456789abcdefghijklmn' },
        tokens.access_token,
      );
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toBe('invalid_client');
    });

    it('is refused at registration for public clients, and long_lived_tokens needs the grant', () => {
      const refusedField = (client: Record<string, unknown>) => {
        try {
          loadAuthorizationServerConfig({
            issuer: 'https://as.example.com',
            store: 'memory',
            cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
            clients: [client],
          });
          return undefined;
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          return error.field;
        }
      };
      expect(refusedField({ ...publicClient, grant_types: ['authorization_code', tokenExchangeGrant] })).toBe(
        'clients.0.grant_types',
      );
      expect(refusedField({ ...plainApp, long_lived_tokens: true })).toBe('clients.0.long_lived_tokens');
      expect(refusedField({ ...publicClient, long_lived_tokens: true })).toBe('clients.0.long_lived_tokens');
      expect(refusedField(longLivedApp)).toBeUndefined();
    });
  });

  describe('lifetime', () => {
    it('gives longLivedTokenTtlSeconds only to clients registered with long_lived_tokens', async () => {
      const longLived = await signIn(server, longLivedApp);
      const body = await exchanged(
        await exchange(server, longLivedApp, longLived.access_token, { scope: 'openid api' }),
      );
      const claims = payloadOf(body.access_token);
      expect((claims.exp as number) - (claims.iat as number)).toBe(60 * day);
      expect(body.expires_in).toBe(60 * day);

      const plain = await signIn(server, webApp);
      const short = payloadOf((await exchanged(await exchange(server, webApp, plain.access_token))).access_token);
      expect((short.exp as number) - (short.iat as number)).toBe(3600);
    });
  });

  describe('revocation', () => {
    it('ends the exchanged token when the refresh token (its grant) is revoked', async () => {
      const tokens = await signIn(server, longLivedApp);
      const body = await exchanged(await exchange(server, longLivedApp, tokens.access_token));
      expect(await (await introspect(server, body.access_token)).json()).toMatchObject({ active: true });

      const revoked = await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: tokens.refresh_token as string },
        { authorization: authorizationOf(longLivedApp) },
      );
      expect(revoked.status).toBe(200);
      expect(await (await introspect(server, body.access_token)).json()).toEqual({ active: false });
      expect((await userinfo(server, body.access_token)).status).toBe(401);
    });

    it('ends the exchanged token when a rotated refresh token is reused', async () => {
      const tokens = await signIn(server, webApp);
      const body = await exchanged(await exchange(server, webApp, tokens.access_token));
      expect((await refreshRequest(server, 'web-app', tokens.refresh_token as string)).status).toBe(200);
      server.clock.advance(31); // past the retry grace window: the next use is a reuse
      expect((await refreshRequest(server, 'web-app', tokens.refresh_token as string)).status).toBe(400);
      expect(await (await introspect(server, body.access_token)).json()).toEqual({ active: false });
    });

    it('can revoke the exchanged token alone, leaving the subject token live', async () => {
      const tokens = await signIn(server, webApp);
      const body = await exchanged(await exchange(server, webApp, tokens.access_token));
      await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: body.access_token },
        { authorization: webAppAuthorization },
      );
      expect(await (await introspect(server, body.access_token)).json()).toEqual({ active: false });
      expect(await (await introspect(server, tokens.access_token)).json()).toMatchObject({ active: true });
    });
  });
});

describe('token exchange: a long-lived token never outlives its grant', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    // Defaults: the grant ends 30 days after sign-in, long-lived tokens would last 60.
    server = await listenAuthorizationServer({
      clients: [webApp, publicClient, longLivedApp],
      resources: [apiResource, otherApi],
    });
  });
  afterAll(() => server.close());

  it("is cut to the grant's remaining lifetime", async () => {
    const tokens = await signIn(server, longLivedApp);
    const response = await exchange(server, longLivedApp, tokens.access_token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ExchangeResponse;
    const claims = payloadOf(body.access_token);
    const lifetime = (claims.exp as number) - (claims.iat as number);
    expect(lifetime).toBeLessThanOrEqual(30 * day);
    expect(lifetime).toBeGreaterThan(30 * day - 60);
    expect(body.expires_in).toBe(lifetime);

    // Near the grant's end the long-lived token still works, and its successor is shorter still.
    server.clock.advance(29 * day);
    const later = await exchange(server, longLivedApp, body.access_token);
    expect(later.status).toBe(200);
    expect(((await later.json()) as ExchangeResponse).expires_in).toBeLessThanOrEqual(day);
  });
});
